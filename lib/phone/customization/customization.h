#ifndef ONRAMP_LIB_PHONE_CUSTOMIZATION_CUSTOMIZATION_H_
#define ONRAMP_LIB_PHONE_CUSTOMIZATION_CUSTOMIZATION_H_

// The phone's customization state machine (remote customization in the
// seed document):
//   Open --query RC--> Pending --RC answers--> Custom Pending --resync ok--> Acquired
//   Pending --RC has no provider--> Unavailable
//   Open/Pending/Custom Pending --provisioned by hand or by DHCP--> Aborted
//   any --factory reset--> Open
// Reporting the current state again is allowed (phones retry).

#include <optional>
#include <string_view>

namespace onramp::customization {

// The fleet learns a phone's state from what the phone itself does (never
// from what anyone could do in its name): a redirect answered to the proven
// phone makes it Custom Pending; its first profile fetched over a channel
// that authenticated it (profile-render records this timeline event for
// each new profile so delivered) makes it Acquired.
inline constexpr char kProfileDeliveredEvent[] = "profile_delivered";
// A new profile fetched by whoever asked, without proof: timeline only.
inline constexpr char kProfileFetchedEvent[] = "profile_fetched";

enum class CustomizationState { kOpen, kPending, kCustomPending, kAcquired, kAborted, kUnavailable };

std::string_view StateName(CustomizationState state);
std::optional<CustomizationState> StateFromName(std::string_view name);

// Whether a phone in `from` (nullopt: never reported, i.e. Open) may report `to`.
bool TransitionAllowed(std::optional<CustomizationState> from, CustomizationState to);

}  // namespace onramp::customization

#endif  // ONRAMP_LIB_PHONE_CUSTOMIZATION_CUSTOMIZATION_H_
