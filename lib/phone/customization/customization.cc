#include "lib/phone/customization/customization.h"

namespace onramp::customization {
namespace {

struct Named {
  CustomizationState state;
  std::string_view name;
};
constexpr Named kNames[] = {
    {CustomizationState::kOpen, "open"},
    {CustomizationState::kPending, "pending"},
    {CustomizationState::kCustomPending, "custom_pending"},
    {CustomizationState::kAcquired, "acquired"},
    {CustomizationState::kAborted, "aborted"},
    {CustomizationState::kUnavailable, "unavailable"},
};

}  // namespace

std::string_view StateName(CustomizationState state) {
  for (const Named& named : kNames) {
    if (named.state == state) return named.name;
  }
  return "open";
}

std::optional<CustomizationState> StateFromName(std::string_view name) {
  for (const Named& named : kNames) {
    if (named.name == name) return named.state;
  }
  return std::nullopt;
}

bool TransitionAllowed(std::optional<CustomizationState> from, CustomizationState to) {
  using S = CustomizationState;
  S current = from.value_or(S::kOpen);
  if (to == current || to == S::kOpen) return true;  // a retry, or a factory reset
  switch (to) {
    case S::kPending: return current == S::kOpen;
    case S::kCustomPending: return current == S::kPending;
    case S::kAcquired: return current == S::kCustomPending;
    case S::kUnavailable: return current == S::kPending;
    case S::kAborted:
      return current == S::kOpen || current == S::kPending || current == S::kCustomPending;
    case S::kOpen: return true;
  }
  return false;
}

}  // namespace onramp::customization
