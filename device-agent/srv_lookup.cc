#include "device-agent/srv_lookup.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <sys/select.h>

#include <algorithm>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace onramp::agent {
namespace {

struct Answer {
  bool done = false;
  int status = ARES_SUCCESS;
  std::string message;  // the raw answer
};

void OnAnswer(void* argument, int status, int /*timeouts*/, unsigned char* buffer, int length) {
  Answer& answer = *static_cast<Answer*>(argument);
  answer.done = true;
  answer.status = status;
  if (status == ARES_SUCCESS) answer.message.assign(reinterpret_cast<char*>(buffer), static_cast<size_t>(length));
}

// One query of `type` for `name`, answered or not within `timeout`.
absl::StatusOr<std::string> Query(const std::string& name, int type, const std::string& resolver,
                                  absl::Duration timeout) {
  static std::once_flag initialized;
  std::call_once(initialized, [] { ares_library_init(ARES_LIB_INIT_ALL); });
  ares_channel channel;
  ares_options options{};
  options.timeout = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  options.tries = 1;
  if (ares_init_options(&channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES) != ARES_SUCCESS) {
    return absl::InternalError("cannot start the resolver");
  }
  if (!resolver.empty() && ares_set_servers_ports_csv(channel, resolver.c_str()) != ARES_SUCCESS) {
    ares_destroy(channel);
    return absl::InvalidArgumentError(absl::StrCat("resolver ", resolver, " is not host:port"));
  }
  Answer answer;
  ares_query(channel, name.c_str(), ns_c_in, type, OnAnswer, &answer);
  absl::Time deadline = absl::Now() + timeout;
  while (!answer.done && absl::Now() < deadline) {
    fd_set reads, writes;
    FD_ZERO(&reads);
    FD_ZERO(&writes);
    int count = ares_fds(channel, &reads, &writes);
    if (count == 0) break;
    timeval wait{};
    timeval* until = ares_timeout(channel, nullptr, &wait);
    select(count, &reads, &writes, nullptr, until);
    ares_process(channel, &reads, &writes);
  }
  ares_destroy(channel);
  if (!answer.done) return absl::UnavailableError(absl::StrCat("no DNS answer for ", name));
  if (answer.status == ARES_ENOTFOUND || answer.status == ARES_ENODATA) {
    return absl::NotFoundError(absl::StrCat("no records for ", name));
  }
  if (answer.status != ARES_SUCCESS) {
    return absl::UnavailableError(absl::StrCat("DNS lookup of ", name, ": ", ares_strerror(answer.status)));
  }
  return answer.message;
}

}  // namespace

absl::StatusOr<std::vector<SrvRecord>> LookupSrv(const std::string& name, const std::string& resolver,
                                                 absl::Duration timeout) {
  absl::StatusOr<std::string> message = Query(name, ns_t_srv, resolver, timeout);
  if (!message.ok()) return message.status();
  ares_srv_reply* replies = nullptr;
  if (ares_parse_srv_reply(reinterpret_cast<const unsigned char*>(message->data()), static_cast<int>(message->size()),
                           &replies) != ARES_SUCCESS) {
    return absl::NotFoundError(absl::StrCat("no SRV records for ", name));
  }
  std::vector<SrvRecord> records;
  for (ares_srv_reply* reply = replies; reply != nullptr; reply = reply->next) {
    records.push_back({.priority = reply->priority, .weight = reply->weight, .port = reply->port, .target = reply->host});
  }
  ares_free_data(replies);
  std::sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.weight < b.weight;
  });
  return records;
}

absl::StatusOr<std::string> LookupAddress(const std::string& name, const std::string& resolver,
                                          absl::Duration timeout) {
  absl::StatusOr<std::string> message = Query(name, ns_t_a, resolver, timeout);
  if (!message.ok()) return message.status();
  ares_addrttl addresses[4];
  int count = 4;
  if (ares_parse_a_reply(reinterpret_cast<const unsigned char*>(message->data()), static_cast<int>(message->size()),
                         nullptr, addresses, &count) != ARES_SUCCESS ||
      count == 0) {
    return absl::NotFoundError(absl::StrCat("no address for ", name));
  }
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &addresses[0].ipaddr, text, sizeof text);
  return std::string(text);
}

}  // namespace onramp::agent
