// tls_load: HTTPS requests, each on a new connection, as phones make them,
// from a few threads at once, with a client certificate if given (as a
// phone proves itself); with --resume each thread offers the session
// ticket of its previous connection, as a phone that keeps one does. Prints
// what it measured on one line:
//   connections/s 3910  p50 4.10ms  p99 16.02ms  resumed 100.0%  failed 0
// For benchmarks (tools/bench/gateway): the same client against the gateway
// and nginx, with and without resumption.

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lib/kit/config/flags.h"

namespace {

struct Options {
  std::string target;  // host:port
  std::string path = "/";
  std::vector<std::string> headers;
  int threads = 8;
  absl::Duration duration = absl::Seconds(5);
  bool resume = false;
  std::string max_version = "1.3";
  std::string ca_file;
  std::string cert_file;  // a client certificate (mutual TLS), with key_file
  std::string key_file;
  // Connections per second in all, started on schedule whatever the server
  // does (an open loop: a late answer does not delay the next start, and
  // each latency counts from its scheduled start); 0: each thread starts
  // the next as soon as one ends.
  double rate = 0;
};

struct Tally {
  std::vector<double> millis;  // per connection, request to the end of the reply
  int64_t resumed = 0;
  int64_t failed = 0;
};

int Connect(const addrinfo& address) {
  int fd = socket(address.ai_family, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// One request on a new connection; the session to offer next time.
bool OneRequest(SSL_CTX* context, const addrinfo& address, const std::string& request, SSL_SESSION** session,
                Tally& tally) {
  int fd = Connect(address);
  if (fd < 0) return false;
  SSL* ssl = SSL_new(context);
  SSL_set_fd(ssl, fd);
  if (*session != nullptr) SSL_set_session(ssl, *session);
  bool ok = SSL_connect(ssl) == 1 && SSL_write(ssl, request.data(), static_cast<int>(request.size())) > 0;
  std::string reply;
  char buffer[16384];
  while (ok) {
    int n = SSL_read(ssl, buffer, sizeof buffer);
    if (n <= 0) break;  // the server's close_notify (or a cut, which the status line tells)
    reply.append(buffer, static_cast<size_t>(n));
  }
  std::string_view status = reply.size() >= 12 && reply.starts_with("HTTP/1.") ? std::string_view(reply).substr(9, 3)
                                                                                : std::string_view();
  ok = ok && (status == "200" || status == "304");
  if (ok) {
    if (SSL_session_reused(ssl)) ++tally.resumed;
    // A TLS 1.3 ticket comes after the handshake; the reply read it.
    SSL_SESSION* next = SSL_get1_session(ssl);
    if (*session != nullptr) SSL_SESSION_free(*session);
    *session = next;
  }
  SSL_shutdown(ssl);
  SSL_free(ssl);
  close(fd);
  return ok;
}

int Main(int argc, char** argv) {
  Options options;
  std::string headers;
  onramp::config::Flags flags(
      "tls_load",
      "HTTPS GETs, each on a new TLS connection, from --threads at once for --duration; with --resume each "
      "thread offers its previous session (ticket). Prints connections/s, p50, p99, the share resumed and "
      "failures (anything but 200 or 304).");
  flags.RequiredString("target", &options.target, "host:port to connect to.");
  flags.String("path", &options.path, "Request target.");
  flags.String("headers", &headers, "Extra request headers, separated by '|' (e.g. 'User-Agent: x|Accept: y').");
  flags.Int("threads", &options.threads, 1, 1024, "Connections at once.");
  flags.Duration("duration", &options.duration, "How long to run.");
  flags.Bool("resume", &options.resume, "Offer the previous connection's session.");
  flags.Choice("max_version", &options.max_version, {"1.2", "1.3"}, "Highest TLS version offered.");
  flags.String("ca_file", &options.ca_file, "PEM CA to verify the server with; empty: no verification.");
  flags.String("cert_file", &options.cert_file, "PEM client certificate (chain) to present: mutual TLS.");
  flags.String("key_file", &options.key_file, "PEM key of --cert_file.");
  std::string rate;
  flags.String("rate", &rate, "Connections per second in all, on a fixed schedule (latency from each "
                              "scheduled start); empty: as fast as the threads go.");
  flags.Check([&options]() -> absl::Status {
    return options.cert_file.empty() == options.key_file.empty()
               ? absl::OkStatus()
               : absl::InvalidArgumentError("--cert_file and --key_file go together");
  });
  flags.ParseOrExit(argc, argv);
  if (!headers.empty()) options.headers = absl::StrSplit(headers, '|');
  if (!rate.empty() && (!absl::SimpleAtod(rate, &options.rate) || options.rate <= 0)) {
    std::fprintf(stderr, "tls_load: --rate must be a positive number\n");
    return 2;
  }

  std::vector<std::string> host_port = absl::StrSplit(options.target, absl::MaxSplits(':', 1));
  if (host_port.size() != 2) {
    std::fprintf(stderr, "tls_load: --target must be host:port\n");
    return 2;
  }
  addrinfo hints{.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  addrinfo* resolved = nullptr;
  if (getaddrinfo(host_port[0].c_str(), host_port[1].c_str(), &hints, &resolved) != 0 || resolved == nullptr) {
    std::fprintf(stderr, "tls_load: cannot resolve %s\n", options.target.c_str());
    return 2;
  }
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(context, options.max_version == "1.2" ? TLS1_2_VERSION : TLS1_3_VERSION);
  // Sessions are kept by each thread, not in the context's cache.
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(context, options.ca_file.c_str(), nullptr) != 1) {
      std::fprintf(stderr, "tls_load: cannot read --ca_file %s\n", options.ca_file.c_str());
      return 2;
    }
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  }
  if (!options.cert_file.empty() &&
      (SSL_CTX_use_certificate_chain_file(context, options.cert_file.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(context, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
       SSL_CTX_check_private_key(context) != 1)) {
    std::fprintf(stderr, "tls_load: cannot use --cert_file %s with --key_file %s\n", options.cert_file.c_str(),
                 options.key_file.c_str());
    return 2;
  }
  std::string request = absl::StrCat("GET ", options.path, " HTTP/1.1\r\nHost: ", host_port[0], "\r\n");
  for (const std::string& header : options.headers) absl::StrAppend(&request, header, "\r\n");
  absl::StrAppend(&request, "Connection: close\r\n\r\n");

  std::vector<Tally> tallies(static_cast<size_t>(options.threads));
  std::vector<std::thread> threads;
  absl::Time start = absl::Now();
  absl::Time end = start + options.duration;
  for (Tally& tally : tallies) {
    const size_t thread_index = threads.size();
    threads.emplace_back([&, &tally = tally, thread_index] {
      SSL_SESSION* session = nullptr;
      // On a schedule, this thread's starts are every threads/rate seconds.
      const absl::Duration period =
          options.rate > 0 ? absl::Seconds(static_cast<double>(options.threads) / options.rate) : absl::ZeroDuration();
      absl::Time next = start + period * static_cast<double>(thread_index) / static_cast<double>(options.threads);
      while (absl::Now() < end) {
        absl::Time began = absl::Now();
        if (options.rate > 0) {
          if (next >= end) break;
          absl::SleepFor(next - began);
          began = next;
          next += period;
        }
        bool ok = OneRequest(context, *resolved, request, &session, tally);
        if (!ok) {
          ++tally.failed;
          continue;
        }
        tally.millis.push_back(absl::ToDoubleMilliseconds(absl::Now() - began));
        if (!options.resume && session != nullptr) {
          SSL_SESSION_free(session);
          session = nullptr;
        }
      }
      if (session != nullptr) SSL_SESSION_free(session);
    });
  }
  for (std::thread& thread : threads) thread.join();
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  Tally all;
  for (const Tally& tally : tallies) {
    all.millis.insert(all.millis.end(), tally.millis.begin(), tally.millis.end());
    all.resumed += tally.resumed;
    all.failed += tally.failed;
  }
  std::sort(all.millis.begin(), all.millis.end());
  auto percentile = [&](double p) {
    if (all.millis.empty()) return 0.0;
    return all.millis[std::min(all.millis.size() - 1, static_cast<size_t>(p * static_cast<double>(all.millis.size())))];
  };
  double done = static_cast<double>(all.millis.size());
  std::printf("connections/s %.0f  p50 %.2fms  p99 %.2fms  resumed %.1f%%  failed %lld\n", done / seconds,
              percentile(0.50), percentile(0.99), done > 0 ? 100.0 * static_cast<double>(all.resumed) / done : 0.0,
              static_cast<long long>(all.failed));
  freeaddrinfo(resolved);
  SSL_CTX_free(context);
  return all.failed > 0 && all.millis.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
