#ifndef ONRAMP_LIB_PHONE_TR069_DATA_MODEL_H_
#define ONRAMP_LIB_PHONE_TR069_DATA_MODEL_H_

// The one table between the phone's flat-profile parameters and TR-069
// parameter paths, in both directions. The vendor does not publish its
// data-model paths (NOTES.md), so Onramp defines them (README.md beside
// this file lists the table): TR-181 Device.DeviceInfo and
// Device.ManagementServer for what the phone is and how it reaches its ACS,
// TR-104's voice objects (Device.Services.VoiceService.1.VoiceProfile.*)
// for its lines, Device.Time for its clock, and a vendor extension,
// Device.X_ONRAMP_Profile.<name>, for every other flat-profile parameter,
// so that any parameter of a layered profile has exactly one path and back.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onramp::tr069 {

// The prefix of the vendor extension for parameters without a standard home.
inline constexpr std::string_view kVendorPrefix = "Device.X_ONRAMP_Profile.";

// The TR-069 path of a flat-profile parameter (e.g. "Proxy_1_" ->
// "Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer");
// nullopt for a name that is not a flat-profile element name.
std::optional<std::string> PathOf(std::string_view flat_name);

// The flat-profile parameter a TR-069 path names; nullopt for a path
// outside the table (read-only DeviceInfo paths included).
std::optional<std::string> FlatNameOf(std::string_view path);

// The table's entries with a placeholder "{n}" for a line or an index, in
// the order README.md lists them (for documentation and tests).
struct Entry {
  std::string_view flat_name;  // e.g. "Proxy_{n}_"
  std::string_view path;       // e.g. "Device.Services.VoiceService.1.VoiceProfile.{n}.SIP.ProxyServer"
};
const std::vector<Entry>& Table();

}  // namespace onramp::tr069

#endif  // ONRAMP_LIB_PHONE_TR069_DATA_MODEL_H_
