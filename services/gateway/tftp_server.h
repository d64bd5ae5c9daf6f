#ifndef ONRAMP_SERVICES_GATEWAY_TFTP_SERVER_H_
#define ONRAMP_SERVICES_GATEWAY_TFTP_SERVER_H_

// A read-only TFTP server (RFC 1350, options per RFC 2347-2349) for phones
// pre-provisioned on a LAN. Each read request gets its own socket (its
// transfer id) and coroutine: the file is resolved once, then sent block by
// block, each block retransmitted until acknowledged or the retries run
// out. Write requests are refused; requests beyond `max_transfers`, or
// beyond `max_transfers_per_source` from one address (so one host that
// never acknowledges cannot make the server busy for everyone), are
// answered with an error at once rather than queued.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/http_server.h"

namespace onramp::gateway {

// The file's bytes, or NOT_FOUND (TFTP error 1), PERMISSION_DENIED or
// INVALID_ARGUMENT (error 2, access violation) or anything else (error 0),
// each with a message for the phone's log. Runs on the server's threads and
// may block on backends.
using FileResolver = std::function<absl::StatusOr<std::string>(const std::string& file_name, const Peer& peer)>;

// How each transfer ended, for metrics.
enum class TransferOutcome { kSent, kNotFound, kRefused, kFailed, kTimedOut, kBusy };
const char* OutcomeName(TransferOutcome outcome);
using TransferObserver = std::function<void(TransferOutcome outcome)>;

struct TftpServerOptions {
  std::string host = "0.0.0.0";
  int port = 0;
  int threads = 4;
  int max_transfers = 256;
  int max_transfers_per_source = 8;
  int retries = 5;                // retransmissions of one packet before giving up
  int max_block_size = 1468;      // largest blksize agreed to
  absl::Duration default_timeout = absl::Seconds(2);  // when the client asks for none
};

class TftpServer {
 public:
  static absl::StatusOr<std::unique_ptr<TftpServer>> Start(const TftpServerOptions& options,
                                                           FileResolver resolver,
                                                           TransferObserver observer = nullptr);
  ~TftpServer();  // stops, abandoning transfers in flight, joins threads

  int port() const { return port_; }

 private:
  struct Impl;
  TftpServer(std::unique_ptr<Impl> impl, int port);
  std::unique_ptr<Impl> impl_;
  int port_;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_TFTP_SERVER_H_
