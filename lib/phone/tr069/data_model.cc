#include "lib/phone/tr069/data_model.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/strings/strings.h"

namespace onramp::tr069 {

namespace {

constexpr std::string_view kIndex = "{n}";
constexpr std::string_view kVoice = "Device.Services.VoiceService.1.VoiceProfile.";

// Whether `text` fits `pattern` (with at most one "{n}": 1 to 4 digits,
// not starting with 0); the index, or "" when the pattern has none.
std::optional<std::string> Match(std::string_view pattern, std::string_view text) {
  size_t hole = pattern.find(kIndex);
  if (hole == std::string_view::npos) return pattern == text ? std::optional<std::string>("") : std::nullopt;
  std::string_view before = pattern.substr(0, hole);
  std::string_view after = pattern.substr(hole + kIndex.size());
  if (text.size() <= before.size() + after.size() || !text.starts_with(before) || !text.ends_with(after)) {
    return std::nullopt;
  }
  std::string_view index = text.substr(before.size(), text.size() - before.size() - after.size());
  if (index.size() > 4 || index[0] == '0' || !strings::IsDigits(index)) return std::nullopt;
  return std::string(index);
}

std::string Fill(std::string_view pattern, const std::string& index) {
  size_t hole = pattern.find(kIndex);
  if (hole == std::string_view::npos) return std::string(pattern);
  return absl::StrCat(strings::ToAbsl(pattern.substr(0, hole)), index,
                      strings::ToAbsl(pattern.substr(hole + kIndex.size())));
}

// Flat-profile element names that are also TR-106 names: letters, digits,
// underscores and hyphens ("Enable_TR-069"), a letter first; no dots, which
// separate a path's parts.
bool IsFlatName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && absl::ascii_isalpha(static_cast<unsigned char>(name[0])) &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
         });
}

}  // namespace

const std::vector<Entry>& Table() {
  static const std::vector<Entry>* const table = new std::vector<Entry>{
      // TR-181: how the phone reaches its ACS.
      {"Enable_TR-069", "Device.ManagementServer.EnableCWMP"},
      {"ACS_URL", "Device.ManagementServer.URL"},
      {"ACS_Username", "Device.ManagementServer.Username"},
      {"ACS_Password", "Device.ManagementServer.Password"},
      {"Periodic_Inform_Enable", "Device.ManagementServer.PeriodicInformEnable"},
      {"Periodic_Inform_Interval", "Device.ManagementServer.PeriodicInformInterval"},
      {"Connection_Request_Username", "Device.ManagementServer.ConnectionRequestUsername"},
      {"Connection_Request_Password", "Device.ManagementServer.ConnectionRequestPassword"},
      // TR-181: its clock.
      {"Time_Zone", "Device.Time.LocalTimeZone"},
      {"Primary_NTP_Server", "Device.Time.NTPServer1"},
      {"Secondary_NTP_Server", "Device.Time.NTPServer2"},
      // TR-104: each line's SIP account (the phone's extensions are its lines).
      {"Proxy_{n}_", "Device.Services.VoiceService.1.VoiceProfile.{n}.SIP.ProxyServer"},
      {"Outbound_Proxy_{n}_", "Device.Services.VoiceService.1.VoiceProfile.{n}.SIP.OutboundProxy"},
      {"Register_Expires_{n}_", "Device.Services.VoiceService.1.VoiceProfile.{n}.SIP.RegisterExpires"},
      {"Display_Name_{n}_", "Device.Services.VoiceService.1.VoiceProfile.1.Line.{n}.CallingFeatures.CallerIDName"},
      {"User_ID_{n}_", "Device.Services.VoiceService.1.VoiceProfile.1.Line.{n}.SIP.URI"},
      {"Auth_ID_{n}_", "Device.Services.VoiceService.1.VoiceProfile.1.Line.{n}.SIP.AuthUserName"},
      {"Password_{n}_", "Device.Services.VoiceService.1.VoiceProfile.1.Line.{n}.SIP.AuthPassword"},
      {"Line_Enable_{n}_", "Device.Services.VoiceService.1.VoiceProfile.1.Line.{n}.Enable"},
      {"Dial_Plan_{n}_", "Device.Services.VoiceService.1.VoiceProfile.{n}.DigitMap"},
  };
  return *table;
}

std::optional<std::string> PathOf(std::string_view flat_name) {
  if (!IsFlatName(flat_name)) return std::nullopt;
  for (const Entry& entry : Table()) {
    if (std::optional<std::string> index = Match(entry.flat_name, flat_name)) return Fill(entry.path, *index);
  }
  return absl::StrCat(strings::ToAbsl(kVendorPrefix), strings::ToAbsl(flat_name));
}

std::optional<std::string> FlatNameOf(std::string_view path) {
  if (path.starts_with(kVendorPrefix)) {
    std::string_view name = path.substr(kVendorPrefix.size());
    // A name the table places elsewhere has one path only: its standard one.
    if (!IsFlatName(name) || PathOf(name) != std::string(path)) return std::nullopt;
    return std::string(name);
  }
  for (const Entry& entry : Table()) {
    if (std::optional<std::string> index = Match(entry.path, path)) return Fill(entry.flat_name, *index);
  }
  return std::nullopt;
}

}  // namespace onramp::tr069
