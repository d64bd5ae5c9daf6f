#include "services/gateway/dhcp_leases.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_split.h"
#include "lib/kit/log/log.h"
#include "lib/phone/identity/mac_address.h"

namespace onramp::gateway {

absl::flat_hash_map<std::string, std::string> ParseDnsmasqLeases(std::string_view text) {
  absl::flat_hash_map<std::string, std::string> leases;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() < 3) continue;
    absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(std::string(fields[1]));
    if (!mac.ok()) continue;
    leases[std::string(fields[2])] = mac->Lower();
  }
  return leases;
}

std::optional<std::string> DhcpLeases::MacOf(const std::string& address) {
  std::lock_guard lock(mutex_);
  ReloadIfChanged();
  auto found = mac_by_address_.find(address);
  if (found == mac_by_address_.end()) return std::nullopt;
  return found->second;
}

void DhcpLeases::ReloadIfChanged() {
  std::error_code error;
  std::filesystem::file_time_type modified = std::filesystem::last_write_time(path_, error);
  if (error) {
    // No file (yet): no leases, rather than the last ones read.
    mac_by_address_.clear();
    read_at_ = {};
    return;
  }
  if (modified == read_at_) return;
  std::ifstream file(path_);
  std::stringstream text;
  text << file.rdbuf();
  mac_by_address_ = ParseDnsmasqLeases(text.str());
  read_at_ = modified;
  log::Info("DHCP leases read", {{"path", path_}, {"leases", static_cast<int64_t>(mac_by_address_.size())}});
}

}  // namespace onramp::gateway
