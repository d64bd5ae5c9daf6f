#include "lib/http/client/tls_sessions.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/base/digest/digest.h"
#include "lib/http/client/http_client.h"

namespace onramp::http_client {

std::string TlsSessions::KeyOf(const HttpRequest& request) {
  // Digests keep keys short; the certificate and the trust decide as much
  // as the server does.
  return absl::StrCat(request.host, "|", request.port, "|", digest::Sha256Hex(request.client_cert_pem), "|",
                      request.ca_file, "|", digest::Sha256Hex(request.extra_ca_pem));
}

SSL_SESSION* TlsSessions::Find(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto found = sessions_.find(key);
  if (found == sessions_.end()) return nullptr;
  const auto* der = reinterpret_cast<const unsigned char*>(found->second.second.data());
  return d2i_SSL_SESSION(nullptr, &der, static_cast<long>(found->second.second.size()));
}

void TlsSessions::Keep(const std::string& key, SSL_SESSION* session) {
  if (session == nullptr) return;
  std::string der;
  if (SSL_SESSION_is_resumable(session) == 1) {
    int length = i2d_SSL_SESSION(session, nullptr);
    if (length > 0) {
      der.resize(static_cast<size_t>(length));
      auto* out = reinterpret_cast<unsigned char*>(der.data());
      i2d_SSL_SESSION(session, &out);
    }
  }
  SSL_SESSION_free(session);
  if (der.empty()) return;
  std::lock_guard lock(mutex_);
  sessions_[key] = {++kept_, std::move(der)};
  if (sessions_.size() > kMaxKept) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(),
                                   [](const auto& a, const auto& b) { return a.second.first < b.second.first; });
    sessions_.erase(oldest);
  }
}

void TlsSessions::Forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  sessions_.erase(key);
}

void TlsSessions::Clear() {
  std::lock_guard lock(mutex_);
  sessions_.clear();
}

size_t TlsSessions::size() {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace onramp::http_client
