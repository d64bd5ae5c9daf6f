#ifndef ONRAMP_SERVICES_GATEWAY_DHCP_LEASES_H_
#define ONRAMP_SERVICES_GATEWAY_DHCP_LEASES_H_

// The LAN's DHCP leases, for TFTP: a phone's read request carries no
// User-Agent, so on a provider's LAN its address is the only clue to which
// phone it is. Read from a dnsmasq lease file ("<expiry> <mac> <ip>
// <hostname> <client-id>" per line, as dnsmasq's --dhcp-leasefile writes
// it), again whenever the file changes. What a lease says is a claim, like a
// MAC in a User-Agent: it proves nothing (docs/TRUST.md).

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace onramp::gateway {

class DhcpLeases {
 public:
  explicit DhcpLeases(std::string path) : path_(std::move(path)) {}

  // The MAC ($MA form) leased `address`, if the file (as it is now) says.
  std::optional<std::string> MacOf(const std::string& address);

 private:
  void ReloadIfChanged();

  const std::string path_;
  std::mutex mutex_;
  std::filesystem::file_time_type read_at_{};
  absl::flat_hash_map<std::string, std::string> mac_by_address_;
};

// The leases in dnsmasq's format: address -> MAC; lines that do not parse
// are skipped.
absl::flat_hash_map<std::string, std::string> ParseDnsmasqLeases(std::string_view text);

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_DHCP_LEASES_H_
