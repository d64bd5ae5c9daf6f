#ifndef ONRAMP_DEVICE_AGENT_SRV_LOOKUP_H_
#define ONRAMP_DEVICE_AGENT_SRV_LOOKUP_H_

// DNS SRV records (RFC 2782) through c-ares, against a chosen resolver, in
// the order the seed document gives: lower priority first, then lower
// weight first among equal priorities (the document's reading, not RFC
// 2782's weighted random choice).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onramp::agent {

struct SrvRecord {
  int priority = 0;
  int weight = 0;
  int port = 0;
  std::string target;
};

// `resolver` is "host:port" (empty: the system's). NOT_FOUND when the name
// has no SRV records; UNAVAILABLE when the resolver does not answer.
absl::StatusOr<std::vector<SrvRecord>> LookupSrv(const std::string& name, const std::string& resolver,
                                                 absl::Duration timeout = absl::Seconds(5));

// The first IPv4 address of `name` from the same resolver (the phone's DNS
// server is the DHCP one, not the host's). NOT_FOUND when it has none.
absl::StatusOr<std::string> LookupAddress(const std::string& name, const std::string& resolver,
                                          absl::Duration timeout = absl::Seconds(5));

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_SRV_LOOKUP_H_
