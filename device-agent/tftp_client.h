#ifndef ONRAMP_DEVICE_AGENT_TFTP_CLIENT_H_
#define ONRAMP_DEVICE_AGENT_TFTP_CLIENT_H_

// The phone's TFTP read (RFC 1350, asking for blksize and tsize per RFC
// 2347-2349): one file into memory, each packet acknowledged, a lost one
// asked for again by repeating the last acknowledgement.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onramp::agent {

struct TftpRead {
  std::string host;  // an IPv4 address or name
  int port = 69;
  std::string file;
  int block_size = 1024;
  absl::Duration timeout = absl::Seconds(2);  // per packet
  int retries = 5;
  // A longer file ends the transfer (error 3) with RESOURCE_EXHAUSTED.
  size_t max_bytes = 64 << 20;
};

// NOT_FOUND for the server's "file not found"; PERMISSION_DENIED for its
// other refusals; UNAVAILABLE when it stops answering.
absl::StatusOr<std::string> TftpGet(const TftpRead& read);

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_TFTP_CLIENT_H_
