#include "services/gateway/tls_context.h"

#include <openssl/ssl.h>

#include "absl/strings/str_cat.h"

namespace onramp::gateway {
namespace {

namespace ssl = boost::asio::ssl;

absl::StatusOr<std::shared_ptr<ssl::context>> Build(const TlsFiles& files) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return absl::InternalError("OpenSSL refused the protocol or cipher settings");
  }
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  boost::system::error_code error;
  context->use_certificate_chain_file(files.cert_file, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat("tls_cert_file ", files.cert_file, ": ", error.message()));
  context->use_private_key_file(files.key_file, ssl::context::pem, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat("tls_key_file ", files.key_file, ": ", error.message()));
  if (SSL_CTX_check_private_key(native) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls_key_file ", files.key_file, " does not match tls_cert_file ", files.cert_file));
  }
  if (!files.client_ca_file.empty()) {
    context->load_verify_file(files.client_ca_file, error);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str());
    if (error || names == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("tls_client_ca_file ", files.client_ca_file, ": ",
                                                     error ? error.message() : "no certificates"));
    }
    SSL_CTX_set_client_CA_list(native, names);
    context->set_verify_mode(ssl::verify_peer);  // asked for, not required
    context->set_verify_depth(4);
  }
  // Resumption by session tickets only: the server keeps no per-session
  // state (OpenSSL's internal cache costs a sweep of the whole cache every
  // 255 handshakes, and other replicas could not use it anyway), and one
  // ticket per handshake is enough for a phone that reconnects hourly.
  // With client certificates OpenSSL needs a context id to resume at all.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_set_num_tickets(native, 1);
  static constexpr unsigned char kSessionContext[] = "onramp-gateway";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  return context;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::Load(const TlsFiles& files) {
  std::unique_ptr<TlsContext> tls(new TlsContext(files));
  if (absl::Status loaded = tls->Reload(); !loaded.ok()) return loaded;
  return tls;
}

absl::Status TlsContext::Reload() {
  absl::StatusOr<std::shared_ptr<ssl::context>> built = Build(files_);
  if (!built.ok()) return built.status();
  std::lock_guard lock(mutex_);
  current_ = *std::move(built);
  return absl::OkStatus();
}

std::shared_ptr<ssl::context> TlsContext::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

}  // namespace onramp::gateway
