#include "lib/phone/tftp/packet.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace onramp::tftp {
namespace {

constexpr size_t kMaxString = 512;
constexpr size_t kMaxDataPayload = 65464;  // RFC 2348's largest block size

absl::Status Invalid(std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("tftp: ", absl::string_view(why.data(), why.size())));
}

uint16_t ReadU16(std::string_view data, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(data[at]) << 8 | static_cast<uint8_t>(data[at + 1]));
}

void AppendU16(std::string* out, uint16_t value) {
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value & 0xff));
}

// Reads a NUL-terminated string at `*at`, advancing past the NUL.
absl::StatusOr<std::string> ReadString(std::string_view data, size_t* at) {
  size_t end = data.find('\0', *at);
  if (end == std::string_view::npos) return Invalid("string without its terminating NUL");
  if (end - *at > kMaxString) return Invalid("string longer than 512 bytes");
  std::string value(data.substr(*at, end - *at));
  *at = end + 1;
  return value;
}

absl::StatusOr<std::map<std::string, std::string>> ReadOptions(std::string_view data, size_t at) {
  std::map<std::string, std::string> options;
  while (at < data.size()) {
    absl::StatusOr<std::string> name = ReadString(data, &at);
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> value = ReadString(data, &at);
    if (!value.ok()) return Invalid("option without a value");
    if (name->empty()) return Invalid("option with an empty name");
    if (options.size() >= 16) return Invalid("more than 16 options");
    options[absl::AsciiStrToLower(*name)] = *value;
  }
  return options;
}

void AppendOptions(std::string* out, const std::map<std::string, std::string>& options) {
  for (const auto& [name, value] : options) {
    out->append(name).push_back('\0');
    out->append(value).push_back('\0');
  }
}

}  // namespace

absl::StatusOr<Packet> Parse(std::string_view datagram) {
  if (datagram.size() < 2) return Invalid("datagram shorter than an opcode");
  uint16_t opcode = ReadU16(datagram, 0);
  switch (opcode) {
    case static_cast<uint16_t>(Opcode::kRrq):
    case static_cast<uint16_t>(Opcode::kWrq): {
      Request request{.opcode = static_cast<Opcode>(opcode)};
      size_t at = 2;
      absl::StatusOr<std::string> file = ReadString(datagram, &at);
      if (!file.ok()) return file.status();
      if (file->empty()) return Invalid("empty file name");
      absl::StatusOr<std::string> mode = ReadString(datagram, &at);
      if (!mode.ok()) return Invalid("request without a mode");
      request.file_name = *file;
      request.mode = absl::AsciiStrToLower(*mode);
      if (request.mode != "octet" && request.mode != "netascii" && request.mode != "mail") {
        return Invalid(absl::StrCat("unknown mode \"", request.mode, "\""));
      }
      absl::StatusOr<std::map<std::string, std::string>> options = ReadOptions(datagram, at);
      if (!options.ok()) return options.status();
      request.options = *std::move(options);
      return request;
    }
    case static_cast<uint16_t>(Opcode::kData):
      if (datagram.size() < 4) return Invalid("DATA without a block number");
      if (datagram.size() - 4 > kMaxDataPayload) return Invalid("DATA larger than any block size");
      return Data{ReadU16(datagram, 2), datagram.substr(4)};
    case static_cast<uint16_t>(Opcode::kAck):
      if (datagram.size() != 4) return Invalid("ACK is not 4 bytes");
      return Ack{ReadU16(datagram, 2)};
    case static_cast<uint16_t>(Opcode::kError): {
      if (datagram.size() < 5) return Invalid("ERROR without code and message");
      size_t at = 4;
      absl::StatusOr<std::string> message = ReadString(datagram, &at);
      if (!message.ok()) return message.status();
      return Error{static_cast<ErrorCode>(ReadU16(datagram, 2)), *message};
    }
    case static_cast<uint16_t>(Opcode::kOack): {
      absl::StatusOr<std::map<std::string, std::string>> options = ReadOptions(datagram, 2);
      if (!options.ok()) return options.status();
      return OptionAck{*std::move(options)};
    }
    default:
      return Invalid(absl::StrCat("unknown opcode ", opcode));
  }
}

std::string BuildData(uint16_t block, std::string_view payload) {
  std::string out;
  out.reserve(4 + payload.size());
  AppendU16(&out, static_cast<uint16_t>(Opcode::kData));
  AppendU16(&out, block);
  out.append(payload);
  return out;
}

std::string BuildAck(uint16_t block) {
  std::string out;
  AppendU16(&out, static_cast<uint16_t>(Opcode::kAck));
  AppendU16(&out, block);
  return out;
}

std::string BuildError(ErrorCode code, std::string_view message) {
  std::string out;
  AppendU16(&out, static_cast<uint16_t>(Opcode::kError));
  AppendU16(&out, static_cast<uint16_t>(code));
  // A NUL inside the message would end it early on the wire.
  for (char c : message.substr(0, kMaxString)) out.push_back(c == '\0' ? ' ' : c);
  out.push_back('\0');
  return out;
}

std::string BuildOptionAck(const std::map<std::string, std::string>& options) {
  std::string out;
  AppendU16(&out, static_cast<uint16_t>(Opcode::kOack));
  AppendOptions(&out, options);
  return out;
}

std::string BuildRequest(const Request& request) {
  std::string out;
  AppendU16(&out, static_cast<uint16_t>(request.opcode));
  out.append(request.file_name).push_back('\0');
  out.append(request.mode).push_back('\0');
  AppendOptions(&out, request.options);
  return out;
}

absl::StatusOr<Negotiated> Negotiate(const std::map<std::string, std::string>& options,
                                     int64_t file_size, int max_block_size) {
  Negotiated negotiated;
  for (const auto& [name, value] : options) {
    int64_t number = 0;
    bool numeric = absl::SimpleAtoi(value, &number);
    if (name == "blksize") {
      if (!numeric || number < 8 || number > 65464) {
        return absl::InvalidArgumentError(absl::StrCat("blksize ", value, " is not 8..65464"));
      }
      negotiated.block_size = static_cast<int>(std::min<int64_t>(number, max_block_size));
      negotiated.acknowledged["blksize"] = absl::StrCat(negotiated.block_size);
    } else if (name == "timeout") {
      if (!numeric || number < 1 || number > 255) {
        return absl::InvalidArgumentError(absl::StrCat("timeout ", value, " is not 1..255"));
      }
      negotiated.timeout_seconds = static_cast<int>(number);
      negotiated.acknowledged["timeout"] = value;
    } else if (name == "tsize") {
      // In a read request the client sends 0 and learns the size.
      if (!numeric || number != 0) {
        return absl::InvalidArgumentError(absl::StrCat("tsize ", value, " in a read request is not 0"));
      }
      negotiated.acknowledged["tsize"] = absl::StrCat(file_size);
    }
    // Other options are ignored, as RFC 2347 asks.
  }
  return negotiated;
}

}  // namespace onramp::tftp
