#ifndef ONRAMP_DEVICE_AGENT_PHONE_IO_H_
#define ONRAMP_DEVICE_AGENT_PHONE_IO_H_

// What a phone touches outside itself, behind small interfaces so the
// provisioning logic (phone.h) has fast unit tests with fakes beside it:
//   Network  HTTP(S) exchanges, TCP probes, its DNS server's SRV and address
//            answers, TFTP reads;
//   Flash    its state and the files beside it (its registration key and
//            certificate, a firmware download in progress);
//   Clock    the time of a resync.
// The real ones: HostNetwork (over an HttpClient, c-ares and UDP),
// DirectoryFlash (a folder: device-agent/state.h) and SystemClock.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/http/client/http_client.h"
#include "lib/http/client/http_url.h"
#include "device-agent/srv_lookup.h"
#include "device-agent/tftp_client.h"
#include "onramp/agent/v1/state.pb.h"

namespace onramp::agent {

using http_client::HttpClient;
using http_client::HttpRequest;
using http_client::HttpResponse;
using http_client::HttpLocation;
using http_client::ParseHttpUrl;
using http_client::ResolveRedirect;
using http_client::UrlOf;

class Network {
 public:
  virtual ~Network() = default;
  // UNAVAILABLE when the server cannot be reached (see HttpClient::Fetch).
  virtual absl::StatusOr<HttpResponse> Fetch(const HttpRequest& request) = 0;
  // Whether a TCP connection to host:port opens.
  virtual absl::Status Probe(const std::string& host, int port) = 0;
  // From the resolver at "host:port" (empty: the system's); see srv_lookup.h.
  virtual absl::StatusOr<std::vector<SrvRecord>> LookupSrv(const std::string& name, const std::string& resolver) = 0;
  virtual absl::StatusOr<std::string> LookupAddress(const std::string& name, const std::string& resolver) = 0;
  // NOT_FOUND for the server's "file not found"; see tftp_client.h.
  virtual absl::StatusOr<std::string> TftpGet(const TftpRead& read) = 0;
  // One UDP datagram (the phone's syslog lines): sent, not answered.
  virtual absl::Status SendDatagram(const std::string& host, int port, std::string_view bytes) = 0;
};

class Flash {
 public:
  virtual ~Flash() = default;
  // Whole and atomically: a phone powered off mid-write keeps the last state.
  virtual absl::Status SaveState(const v1::PhoneState& state) = 0;
  // A file beside the state; NOT_FOUND when there is none.
  virtual absl::StatusOr<std::string> Read(const std::string& name) const = 0;
  // Replaces the file; `secret`: readable by the phone alone.
  virtual absl::Status Write(const std::string& name, std::string_view bytes, bool secret) = 0;
  virtual absl::Status Append(const std::string& name, std::string_view bytes) = 0;
  // 0 when there is no such file.
  virtual uint64_t Size(const std::string& name) const = 0;
  virtual void Remove(const std::string& name) = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The network as this host reaches it; requests go through `client` (a
// phone's own blocking one, or a simulator fiber's).
class HostNetwork final : public Network {
 public:
  // With `tls_sessions`, HTTPS requests resume the phone's sessions.
  explicit HostNetwork(HttpClient& client, http_client::TlsSessions* tls_sessions = nullptr)
      : client_(client), tls_sessions_(tls_sessions) {}
  absl::StatusOr<HttpResponse> Fetch(const HttpRequest& request) override;
  absl::Status Probe(const std::string& host, int port) override { return client_.Probe(host, port); }
  absl::StatusOr<std::vector<SrvRecord>> LookupSrv(const std::string& name, const std::string& resolver) override {
    return agent::LookupSrv(name, resolver);
  }
  absl::StatusOr<std::string> LookupAddress(const std::string& name, const std::string& resolver) override {
    return agent::LookupAddress(name, resolver);
  }
  absl::StatusOr<std::string> TftpGet(const TftpRead& read) override { return agent::TftpGet(read); }
  absl::Status SendDatagram(const std::string& host, int port, std::string_view bytes) override;

 private:
  HttpClient& client_;
  http_client::TlsSessions* tls_sessions_;
};

// A folder: state.json (device-agent/state.h) and the files beside it.
class DirectoryFlash final : public Flash {
 public:
  explicit DirectoryFlash(std::string dir) : dir_(std::move(dir)) {}
  absl::Status SaveState(const v1::PhoneState& state) override;
  absl::StatusOr<std::string> Read(const std::string& name) const override;
  absl::Status Write(const std::string& name, std::string_view bytes, bool secret) override;
  absl::Status Append(const std::string& name, std::string_view bytes) override;
  uint64_t Size(const std::string& name) const override;
  void Remove(const std::string& name) override;

 private:
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_PHONE_IO_H_
