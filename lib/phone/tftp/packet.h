#ifndef ONRAMP_LIB_PHONE_TFTP_PACKET_H_
#define ONRAMP_LIB_PHONE_TFTP_PACKET_H_

// TFTP packets (RFC 1350) with option extension (RFC 2347) and the blksize
// (RFC 2348), tsize and timeout (RFC 2349) options: parse what arrives on
// the wire, build what goes out. Parsing never trusts the input: every
// length is checked, strings must be NUL-terminated, and anything odd is an
// error the server answers with TFTP error 4 (illegal operation) or 8
// (option negotiation refused).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/statusor.h"

namespace onramp::tftp {

enum class Opcode : uint16_t { kRrq = 1, kWrq = 2, kData = 3, kAck = 4, kError = 5, kOack = 6 };

// RFC 1350 error codes.
enum class ErrorCode : uint16_t {
  kNotDefined = 0,
  kFileNotFound = 1,
  kAccessViolation = 2,
  kDiskFull = 3,
  kIllegalOperation = 4,
  kUnknownTransferId = 5,
  kFileExists = 6,
  kNoSuchUser = 7,
  kOptionRefused = 8,  // RFC 2347
};

struct Request {
  Opcode opcode = Opcode::kRrq;  // kRrq or kWrq
  std::string file_name;
  std::string mode;  // lower case: "octet", "netascii" or "mail"
  std::map<std::string, std::string> options;  // names lower case
};

struct Data {
  uint16_t block = 0;
  std::string_view payload;  // points into the parsed buffer
};

struct Ack {
  uint16_t block = 0;
};

struct Error {
  ErrorCode code = ErrorCode::kNotDefined;
  std::string message;
};

struct OptionAck {
  std::map<std::string, std::string> options;
};

using Packet = std::variant<Request, Data, Ack, Error, OptionAck>;

// INVALID_ARGUMENT describing what is wrong with the datagram.
absl::StatusOr<Packet> Parse(std::string_view datagram);

std::string BuildData(uint16_t block, std::string_view payload);
std::string BuildAck(uint16_t block);
std::string BuildError(ErrorCode code, std::string_view message);
std::string BuildOptionAck(const std::map<std::string, std::string>& options);
std::string BuildRequest(const Request& request);

// What a server agrees to for a read request, from the options the client
// asked for (RFC 2347: unknown options are ignored, bad values refused).
struct Negotiated {
  int block_size = 512;
  int timeout_seconds = 5;
  std::map<std::string, std::string> acknowledged;  // for the OACK; empty: none
};

// `file_size` answers tsize. Block sizes are clamped to 8..`max_block_size`
// (1468 by default: one Ethernet frame); timeouts must be 1..255.
absl::StatusOr<Negotiated> Negotiate(const std::map<std::string, std::string>& options,
                                     int64_t file_size, int max_block_size = 1468);

}  // namespace onramp::tftp

#endif  // ONRAMP_LIB_PHONE_TFTP_PACKET_H_
