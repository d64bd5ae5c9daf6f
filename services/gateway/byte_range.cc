#include "services/gateway/byte_range.h"

#include <charconv>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace onramp::gateway {
namespace {

// Digits only (no sign, no spaces); nullopt when empty or not a number.
std::optional<int64_t> Number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

RangeAnswer ResolveRange(std::string_view header, int64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  absl::string_view trimmed = absl::StripAsciiWhitespace(absl::string_view(header.data(), header.size()));
  std::string_view spec(trimmed.data(), trimmed.size());
  if (spec.size() < kUnit.size() || spec.find(',') != std::string_view::npos) return {};
  for (size_t i = 0; i < kUnit.size(); ++i) {
    if (absl::ascii_tolower(static_cast<unsigned char>(spec[i])) != kUnit[i]) return {};
  }
  spec.remove_prefix(kUnit.size());
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return {};
  std::string_view first_text = spec.substr(0, dash);
  std::string_view last_text = spec.substr(dash + 1);
  if (first_text.empty()) {
    // "-N": the last N bytes.
    std::optional<int64_t> suffix = Number(last_text);
    if (!suffix) return {};
    if (*suffix == 0 || size == 0) return {.kind = RangeKind::kUnsatisfiable};
    int64_t length = std::min(*suffix, size);
    return {.kind = RangeKind::kPartial, .range = {.offset = size - length, .length = length}};
  }
  std::optional<int64_t> first = Number(first_text);
  if (!first) return {};
  int64_t last = size - 1;
  if (!last_text.empty()) {
    std::optional<int64_t> given = Number(last_text);
    if (!given || *given < *first) return {};
    last = std::min(*given, size - 1);
  }
  if (*first >= size) return {.kind = RangeKind::kUnsatisfiable};
  return {.kind = RangeKind::kPartial, .range = {.offset = *first, .length = last - *first + 1}};
}

}  // namespace onramp::gateway
