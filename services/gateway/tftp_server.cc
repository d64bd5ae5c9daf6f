#include "services/gateway/tftp_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/experimental/awaitable_operators.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/udp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "lib/phone/tftp/packet.h"

namespace onramp::gateway {
namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

tftp::ErrorCode ErrorFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound: return tftp::ErrorCode::kFileNotFound;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kInvalidArgument: return tftp::ErrorCode::kAccessViolation;
    default: return tftp::ErrorCode::kNotDefined;
  }
}

TransferOutcome OutcomeFor(const absl::Status& status) {
  switch (ErrorFor(status)) {
    case tftp::ErrorCode::kFileNotFound: return TransferOutcome::kNotFound;
    case tftp::ErrorCode::kAccessViolation: return TransferOutcome::kRefused;
    default: return TransferOutcome::kFailed;
  }
}

// RFC 1350's netascii: lines end CR LF and a bare CR is sent as CR NUL.
std::string ToNetascii(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\n') {
      out += "\r\n";
    } else if (c == '\r') {
      out.append("\r\0", 2);
    } else {
      out += c;
    }
  }
  return out;
}

enum class Acked { kYes, kTimedOut, kAborted };

}  // namespace

const char* OutcomeName(TransferOutcome outcome) {
  switch (outcome) {
    case TransferOutcome::kSent: return "sent";
    case TransferOutcome::kNotFound: return "not_found";
    case TransferOutcome::kRefused: return "refused";
    case TransferOutcome::kFailed: return "failed";
    case TransferOutcome::kTimedOut: return "timed_out";
    case TransferOutcome::kBusy: return "busy";
  }
  return "failed";
}

struct TftpServer::Impl {
  TftpServerOptions options;
  FileResolver resolver;
  TransferObserver observer;
  asio::io_context io;
  udp::socket socket{io};
  asio::ip::address address;
  std::atomic<int> transfers{0};
  std::mutex sources_mutex;
  absl::flat_hash_map<std::string, int> per_source;  // transfers in flight by client address
  std::vector<std::thread> threads;

  void Observe(TransferOutcome outcome) {
    if (observer) observer(outcome);
  }

  void Reply(const udp::endpoint& client, const std::string& packet) {
    boost::system::error_code ignored;
    socket.send_to(asio::buffer(packet), client, 0, ignored);
  }

  asio::awaitable<void> Listen() {
    std::array<char, 2048> buffer;
    for (;;) {
      udp::endpoint client;
      auto [error, size] = co_await socket.async_receive_from(asio::buffer(buffer), client, kAwait);
      if (error == asio::error::operation_aborted) co_return;
      if (error) continue;
      absl::StatusOr<tftp::Packet> packet = tftp::Parse(std::string_view(buffer.data(), size));
      if (!packet.ok()) {
        Reply(client, tftp::BuildError(tftp::ErrorCode::kIllegalOperation, std::string(packet.status().message())));
        continue;
      }
      const auto* request = std::get_if<tftp::Request>(&*packet);
      if (request == nullptr || request->mode == "mail") {
        Reply(client, tftp::BuildError(tftp::ErrorCode::kIllegalOperation, "expected a read request"));
        continue;
      }
      if (request->opcode == tftp::Opcode::kWrq) {
        Reply(client, tftp::BuildError(tftp::ErrorCode::kAccessViolation, "read only: writes are refused"));
        Observe(TransferOutcome::kRefused);
        continue;
      }
      if (transfers.load() >= options.max_transfers) {
        Reply(client, tftp::BuildError(tftp::ErrorCode::kNotDefined, "server busy, retry later"));
        Observe(TransferOutcome::kBusy);
        continue;
      }
      std::string source = client.address().to_string();
      if (!AdmitFrom(source)) {
        Reply(client, tftp::BuildError(tftp::ErrorCode::kNotDefined, "too many transfers from this address, retry later"));
        Observe(TransferOutcome::kBusy);
        continue;
      }
      ++transfers;
      asio::co_spawn(io, Transfer(*request, client, std::move(source)), asio::detached);
    }
  }

  bool AdmitFrom(const std::string& source) {
    std::lock_guard lock(sources_mutex);
    int& in_flight = per_source[source];
    if (in_flight >= options.max_transfers_per_source) return false;
    ++in_flight;
    return true;
  }

  void DoneFrom(const std::string& source) {
    std::lock_guard lock(sources_mutex);
    auto found = per_source.find(source);
    if (found != per_source.end() && --found->second <= 0) per_source.erase(found);
  }

  asio::awaitable<void> Transfer(tftp::Request request, udp::endpoint client, std::string source) {
    TransferOutcome outcome = co_await Send(request, client);
    --transfers;
    DoneFrom(source);
    Observe(outcome);
  }

  asio::awaitable<TransferOutcome> Send(const tftp::Request& request, const udp::endpoint& client) {
    // A fresh socket is this transfer's id; connecting it makes the kernel
    // drop datagrams from any other host or port.
    boost::system::error_code error;
    udp::socket transfer(io, udp::endpoint(address, 0));
    transfer.connect(client, error);
    if (error) co_return TransferOutcome::kFailed;
    absl::StatusOr<std::string> file = resolver(request.file_name, Peer{.address = client.address().to_string(), .tftp = true});
    if (!file.ok()) {
      transfer.send(asio::buffer(tftp::BuildError(ErrorFor(file.status()), std::string(file.status().message()))), 0, error);
      co_return OutcomeFor(file.status());
    }
    std::string bytes = request.mode == "netascii" ? ToNetascii(*file) : *std::move(file);
    absl::StatusOr<tftp::Negotiated> negotiated =
        tftp::Negotiate(request.options, static_cast<int64_t>(bytes.size()), options.max_block_size);
    if (!negotiated.ok()) {
      transfer.send(asio::buffer(tftp::BuildError(tftp::ErrorCode::kOptionRefused, std::string(negotiated.status().message()))),
                    0, error);
      co_return TransferOutcome::kRefused;
    }
    absl::Duration timeout = negotiated->acknowledged.contains("timeout")
                                 ? absl::Seconds(negotiated->timeout_seconds)
                                 : options.default_timeout;
    if (!negotiated->acknowledged.empty()) {
      Acked acked = co_await Exchange(transfer, tftp::BuildOptionAck(negotiated->acknowledged), 0, timeout);
      if (acked != Acked::kYes) co_return acked == Acked::kTimedOut ? TransferOutcome::kTimedOut : TransferOutcome::kFailed;
    }
    const size_t block_size = static_cast<size_t>(negotiated->block_size);
    uint16_t block = 1;  // wraps past 65535 to 0, as common servers do
    for (size_t offset = 0;; offset += block_size, ++block) {
      std::string_view payload = std::string_view(bytes).substr(std::min(offset, bytes.size()), block_size);
      Acked acked = co_await Exchange(transfer, tftp::BuildData(block, payload), block, timeout);
      if (acked != Acked::kYes) co_return acked == Acked::kTimedOut ? TransferOutcome::kTimedOut : TransferOutcome::kFailed;
      // A short block (possibly empty) is the last one.
      if (payload.size() < block_size) co_return TransferOutcome::kSent;
    }
  }

  // Sends `packet` until the client acknowledges `block`, resending on each
  // timeout. A duplicate ACK of an earlier block is ignored rather than
  // answered, which avoids the Sorcerer's Apprentice bug (RFC 1123 4.2.3.1).
  asio::awaitable<Acked> Exchange(udp::socket& transfer, const std::string& packet, uint16_t block,
                                  absl::Duration timeout) {
    using namespace asio::experimental::awaitable_operators;
    std::array<char, 1024> buffer;
    for (int attempt = 0; attempt <= options.retries; ++attempt) {
      boost::system::error_code error;
      transfer.send(asio::buffer(packet), 0, error);
      asio::steady_timer timer(io, absl::ToChronoMilliseconds(timeout));
      for (;;) {
        auto result = co_await (transfer.async_receive(asio::buffer(buffer), kAwait) || timer.async_wait(kAwait));
        if (result.index() == 1) break;  // no answer in time: send again
        auto [receive_error, size] = std::get<0>(result);
        // On a connected UDP socket an ICMP "port unreachable" shows up here:
        // the client has gone.
        if (receive_error) co_return Acked::kAborted;
        absl::StatusOr<tftp::Packet> answer = tftp::Parse(std::string_view(buffer.data(), size));
        if (!answer.ok()) continue;
        if (const auto* ack = std::get_if<tftp::Ack>(&*answer); ack != nullptr && ack->block == block) {
          co_return Acked::kYes;
        }
        if (std::holds_alternative<tftp::Error>(*answer)) co_return Acked::kAborted;
      }
    }
    co_return Acked::kTimedOut;
  }
};

absl::StatusOr<std::unique_ptr<TftpServer>> TftpServer::Start(const TftpServerOptions& options,
                                                              FileResolver resolver,
                                                              TransferObserver observer) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->resolver = std::move(resolver);
  impl->observer = std::move(observer);
  boost::system::error_code error;
  impl->address = asio::ip::make_address(options.host, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat("bad host ", options.host));
  udp::endpoint endpoint(impl->address, static_cast<unsigned short>(options.port));
  impl->socket.open(endpoint.protocol(), error);
  if (!error) impl->socket.bind(endpoint, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot listen for TFTP on ", options.host, ":",
                                               options.port, ": ", error.message()));
  }
  int port = impl->socket.local_endpoint().port();
  asio::co_spawn(impl->io, impl->Listen(), asio::detached);
  for (int i = 0; i < options.threads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] { raw->io.run(); });
  }
  return std::unique_ptr<TftpServer>(new TftpServer(std::move(impl), port));
}

TftpServer::TftpServer(std::unique_ptr<Impl> impl, int port) : impl_(std::move(impl)), port_(port) {}

TftpServer::~TftpServer() {
  impl_->io.stop();
  for (std::thread& thread : impl_->threads) thread.join();
}

}  // namespace onramp::gateway
