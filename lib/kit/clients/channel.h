#ifndef ONRAMP_LIB_KIT_CLIENTS_CHANNEL_H_
#define ONRAMP_LIB_KIT_CLIENTS_CHANNEL_H_

// The channel a client of one of the fleet's services uses. Its "host:port"
// resolves to every address the name has (on Kubernetes a headless Service:
// one per pod) and calls are spread over them round robin, not pinned to
// the first; servers end connections after --max_connection_age, so the
// name is resolved again and new replicas get their share. A backend that
// was down is tried again at least every kMaxReconnectBackoff, so it serves
// again within about that long of its return (gRPC's own default waits up
// to two minutes). Plaintext inside the cluster's network (mTLS is the
// deployment's job).

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace onramp::clients {

inline constexpr absl::Duration kMaxReconnectBackoff = absl::Seconds(1);

// With `stream_window_bytes`, each stream's HTTP/2 window stays at that size
// (gRPC otherwise grows it with the bandwidth it measures, to megabytes): a
// caller that streams large responses to slow readers — the gateway's
// firmware downloads — then holds at most that much per stream, because the
// server sends only what the reader has taken.
std::shared_ptr<grpc::Channel> ServiceChannel(const std::string& address, int stream_window_bytes = 0);

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_CHANNEL_H_
