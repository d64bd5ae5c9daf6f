#ifndef ONRAMP_SERVICES_GATEWAY_TLS_CONTEXT_H_
#define ONRAMP_SERVICES_GATEWAY_TLS_CONTEXT_H_

// The HTTPS listener's TLS settings, loaded from PEM files and reloadable
// while serving: a reload builds a whole new context and only connections
// accepted afterwards use it, so rotating a certificate drops nobody.
//
// Protocols are TLS 1.2 and 1.3 only; TLS 1.2 offers only ECDHE suites with
// AEAD ciphers (forward secrecy), TLS 1.3's suites all have it. With a
// client CA or manufacturer CAs the server asks for (but does not require)
// a client certificate: a phone presents the one the fleet issued at
// registration, or before that its factory certificate; a certificate that
// fails verification ends the handshake.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/asio/ssl/context.hpp"
#include "lib/phone/pki/certificate.h"
#include "services/gateway/peer.h"

namespace onramp::gateway {

struct TlsFiles {
  std::string cert_file;       // the server's chain, leaf first
  std::string key_file;
  std::string client_ca_file;  // the onboarding CA; empty: none
  // Manufacturer CAs (a bundle, intermediates included) whose certificates
  // are phones' factory certificates; empty: none.
  std::string factory_ca_file;
  // Session-ticket keys, 80 random bytes each (nginx's format: a 16-byte
  // name, a 32-byte HMAC-SHA256 key, a 32-byte AES-256 key), newest first:
  // the first seals new tickets, every one opens them, so replicas that
  // share the files resume each other's sessions, and a key rotated out
  // stays readable while it is still listed. Empty: a key of this process
  // only (tickets open on this replica, until it restarts or reloads).
  std::vector<std::string> ticket_key_files;
};

// The TLS 1.2 cipher list offered (OpenSSL names).
inline constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

class TlsContext {
 public:
  // Fails, naming the file, when a file is missing or the key does not
  // match the certificate.
  static absl::StatusOr<std::unique_ptr<TlsContext>> Load(const TlsFiles& files);

  // Rereads the files; on failure the current context stays in use.
  absl::Status Reload();

  struct TicketKey {
    unsigned char name[16];
    unsigned char hmac[32];
    unsigned char aes[32];
  };

  // One load of the files: the OpenSSL context, and the CAs that tell a
  // factory certificate from a registration one.
  struct Loaded {
    std::vector<TicketKey> ticket_keys;  // read by `ssl`'s ticket callback
    std::shared_ptr<boost::asio::ssl::context> ssl;
    std::vector<pki::Certificate> factory_cas;
    std::vector<pki::Certificate> registration_cas;
    // What the handshake on `ssl` verified of the client's certificate.
    void Identify(SSL* ssl, Peer* peer) const;
  };

  // The files as loaded for a new connection; the connection keeps them.
  std::shared_ptr<const Loaded> Current() const;

  bool asks_for_client_certificates() const {
    return !files_.client_ca_file.empty() || !files_.factory_ca_file.empty();
  }

 private:
  explicit TlsContext(TlsFiles files) : files_(std::move(files)) {}

  TlsFiles files_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Loaded> current_;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_TLS_CONTEXT_H_
