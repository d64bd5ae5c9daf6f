#include "services/gateway/syslog_intake.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/kit/log/log.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/rate_limit/token_buckets.h"
#include "lib/phone/syslog/syslog.h"
#include "prometheus/counter.h"

namespace onramp::gateway {

struct SyslogIntake::Impl {
  Impl(const SyslogIntakeOptions& options, clients::DeviceActivation& devices, prometheus::Registry& registry)
      : options(options),
        devices(devices),
        budgets({.rate_per_second = options.lines_per_second_per_source,
                 .burst = static_cast<double>(options.burst_per_source)}),
        lines(prometheus::BuildCounter()
                  .Name("onramp_gateway_syslog_lines_total")
                  .Help("Syslog datagrams by outcome: queued, over_budget (its source's), unparsable, no_phone "
                        "(names no MAC), queue_full, sent, send_failed (kept for the next round).")
                  .Register(registry)) {}

  void Receive() {
    std::vector<char> buffer(syslog::kMaxMessage + 1);
    while (!stopping.load()) {
      pollfd ready{.fd = socket_fd, .events = POLLIN, .revents = 0};
      if (poll(&ready, 1, 100) <= 0) continue;
      sockaddr_storage from{};
      socklen_t from_size = sizeof from;
      ssize_t size = recvfrom(socket_fd, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from),
                              &from_size);
      if (size < 0) continue;
      std::string source = AddressOf(from);
      if (budgets.Take(source).has_value()) {
        Count("over_budget");
        continue;
      }
      absl::StatusOr<syslog::Message> message =
          syslog::Parse(std::string_view(buffer.data(), static_cast<size_t>(size)));
      if (!message.ok()) {
        Count("unparsable");
        continue;
      }
      std::optional<std::string> mac = syslog::PhoneMac(*message);
      if (!mac) {
        Count("no_phone");
        continue;
      }
      device::v1::LogLine line;
      line.mutable_mac()->set_value(*mac);
      proto::SetTimestamp(absl::Now(), line.mutable_receive_time());
      if (message->time) proto::SetTimestamp(*message->time, line.mutable_send_time());
      line.set_facility(message->facility);
      line.set_severity(message->severity);
      line.set_hostname(message->hostname.substr(0, 255));
      line.set_app_name(message->app_name.substr(0, 48));
      line.set_text(std::move(message->text));
      line.set_source_address(source);
      std::lock_guard lock(mutex);
      if (queue.size() >= options.max_queued) {
        Count("queue_full");
        continue;
      }
      queue.push_back(std::move(line));
      Count("queued");
      if (queue.size() >= static_cast<size_t>(options.batch)) wake.notify_one();
    }
  }

  void Send() {
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait_for(lock, absl::ToChronoMilliseconds(options.flush_interval),
                    [this] { return stopping.load() || queue.size() >= static_cast<size_t>(options.batch); });
      bool stop = stopping.load();
      lock.unlock();
      SendQueued();
      lock.lock();
      if (stop) return;
    }
  }

  // Ships the queue in batches; a batch device-activation did not take
  // goes back to the front for the next round.
  void SendQueued() {
    std::lock_guard one_at_a_time(send_mutex);
    while (true) {
      device::v1::RecordLogsRequest request;
      {
        std::lock_guard lock(mutex);
        while (!queue.empty() && request.lines_size() < options.batch) {
          *request.add_lines() = std::move(queue.front());
          queue.pop_front();
        }
      }
      if (request.lines_size() == 0) return;
      absl::Status sent = devices.RecordLogs(request, "").status();
      if (sent.ok()) {
        lines.Add({{"outcome", "sent"}}).Increment(request.lines_size());
        continue;
      }
      lines.Add({{"outcome", "send_failed"}}).Increment(request.lines_size());
      log::Warn("syslog lines not sent yet", {{"lines", std::to_string(request.lines_size())},
                                              {"error", std::string(sent.message())}});
      std::lock_guard lock(mutex);
      for (int i = request.lines_size() - 1; i >= 0; --i) {
        if (queue.size() >= options.max_queued) break;  // the oldest go first
        queue.push_front(std::move(*request.mutable_lines(i)));
      }
      return;
    }
  }

  void Count(const char* outcome) { lines.Add({{"outcome", outcome}}).Increment(); }

  static std::string AddressOf(const sockaddr_storage& from) {
    char text[INET6_ADDRSTRLEN] = {};
    if (from.ss_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(from).sin_addr, text, sizeof text);
    } else if (from.ss_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(from).sin6_addr, text, sizeof text);
    }
    return text;
  }

  const SyslogIntakeOptions options;
  clients::DeviceActivation& devices;
  rate_limit::TokenBuckets budgets;
  prometheus::Family<prometheus::Counter>& lines;
  int socket_fd = -1;
  int port = 0;
  std::atomic<bool> stopping{false};
  std::mutex mutex;  // guards queue
  std::condition_variable wake;
  std::deque<device::v1::LogLine> queue;
  std::mutex send_mutex;
  std::thread receiver;
  std::thread sender;
};

absl::StatusOr<std::unique_ptr<SyslogIntake>> SyslogIntake::Start(const SyslogIntakeOptions& options,
                                                                  clients::DeviceActivation& devices,
                                                                  prometheus::Registry& registry) {
  auto impl = std::make_unique<Impl>(options, devices, registry);
  bool v6 = options.host.find(':') != std::string::npos;
  impl->socket_fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (impl->socket_fd < 0) return absl::InternalError("syslog: cannot make a UDP socket");
  sockaddr_storage address{};
  socklen_t size = 0;
  if (v6) {
    auto& a = reinterpret_cast<sockaddr_in6&>(address);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<uint16_t>(options.port));
    if (inet_pton(AF_INET6, options.host.c_str(), &a.sin6_addr) != 1) {
      close(impl->socket_fd);
      return absl::InvalidArgumentError(absl::StrCat("syslog host ", options.host, " is not an address"));
    }
    size = sizeof a;
  } else {
    auto& a = reinterpret_cast<sockaddr_in&>(address);
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(options.port));
    if (inet_pton(AF_INET, options.host.c_str(), &a.sin_addr) != 1) {
      close(impl->socket_fd);
      return absl::InvalidArgumentError(absl::StrCat("syslog host ", options.host, " is not an address"));
    }
    size = sizeof a;
  }
  // A large receive buffer rides out a burst while the reader catches up.
  int buffer = 4 << 20;
  setsockopt(impl->socket_fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  if (bind(impl->socket_fd, reinterpret_cast<sockaddr*>(&address), size) != 0) {
    close(impl->socket_fd);
    return absl::UnavailableError(absl::StrCat("syslog: cannot bind UDP ", options.host, ":", options.port));
  }
  sockaddr_storage bound{};
  socklen_t bound_size = sizeof bound;
  getsockname(impl->socket_fd, reinterpret_cast<sockaddr*>(&bound), &bound_size);
  impl->port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                                  : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  Impl* raw = impl.get();
  impl->receiver = std::thread([raw] { raw->Receive(); });
  impl->sender = std::thread([raw] { raw->Send(); });
  return std::unique_ptr<SyslogIntake>(new SyslogIntake(std::move(impl)));
}

SyslogIntake::SyslogIntake(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SyslogIntake::~SyslogIntake() {
  impl_->stopping.store(true);
  impl_->receiver.join();
  impl_->wake.notify_all();
  impl_->sender.join();
  close(impl_->socket_fd);
}

int SyslogIntake::port() const { return impl_->port; }

void SyslogIntake::Flush() { impl_->SendQueued(); }

}  // namespace onramp::gateway
