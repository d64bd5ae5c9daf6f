#ifndef ONRAMP_LIB_HTTP_CLIENT_TLS_SESSIONS_H_
#define ONRAMP_LIB_HTTP_CLIENT_TLS_SESSIONS_H_

// The TLS sessions one client (a phone) keeps to resume its next
// connections (TLS 1.2 tickets, TLS 1.3 pre-shared keys), as phones that
// support resumption keep them in memory. A session is offered again only
// where the same full handshake would have been made: to the same server
// name and port, with the same client certificate and the same trust — so a
// phone that registered (a new certificate) or was given a CA to trust
// makes a full handshake, and the server sees who it is now. Sessions are
// kept serialized (a parsed one holds the server's certificate parsed, ~8
// KiB; serialized ~1.5 KiB), so a simulator's 100,000 phones fit.

#include <openssl/ssl.h>

#include <map>
#include <mutex>
#include <string>

namespace onramp::http_client {

struct HttpRequest;

class TlsSessions {
 public:
  // A phone talks to few servers; beyond this many the oldest key goes.
  static constexpr size_t kMaxKept = 16;

  // Under which key the request's session is kept.
  static std::string KeyOf(const HttpRequest& request);

  // The session kept under `key`, new (the caller frees it with
  // SSL_SESSION_free), or null.
  SSL_SESSION* Find(const std::string& key);
  // Keeps `session` if it can be resumed; frees it either way.
  void Keep(const std::string& key, SSL_SESSION* session);
  // After a handshake that failed while offering it.
  void Forget(const std::string& key);
  void Clear();
  size_t size();

 private:
  std::mutex mutex_;
  std::map<std::string, std::pair<uint64_t, std::string>> sessions_;  // key: (when kept, DER)
  uint64_t kept_ = 0;
};

}  // namespace onramp::http_client

#endif  // ONRAMP_LIB_HTTP_CLIENT_TLS_SESSIONS_H_
