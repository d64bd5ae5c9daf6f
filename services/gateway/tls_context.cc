#include "services/gateway/tls_context.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace onramp::gateway {
namespace {

namespace ssl = boost::asio::ssl;

absl::StatusOr<std::vector<pki::Certificate>> ReadCas(const std::string& flag, const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": cannot read"));
  std::ostringstream pem;
  pem << file.rdbuf();
  return pki::ReadCertificates(pem.str(), absl::StrCat(flag, " ", path));
}

absl::StatusOr<std::vector<TlsContext::TicketKey>> ReadTicketKeys(const std::vector<std::string>& paths) {
  std::vector<TlsContext::TicketKey> keys;
  for (const std::string& path : paths) {
    std::ifstream file(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!file && !file.eof()) return absl::InvalidArgumentError(absl::StrCat("tls_ticket_key_files ", path, ": cannot read"));
    if (bytes.size() != sizeof(TlsContext::TicketKey)) {
      return absl::InvalidArgumentError(absl::StrCat("tls_ticket_key_files ", path, ": ", bytes.size(),
                                                     " bytes; a ticket key is 80 random bytes"));
    }
    TlsContext::TicketKey& key = keys.emplace_back();
    std::memcpy(key.name, bytes.data(), 16);
    std::memcpy(key.hmac, bytes.data() + 16, 32);
    std::memcpy(key.aes, bytes.data() + 48, 32);
  }
  return keys;
}

int TicketKeysIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL's session-ticket callback: seals with the first key, opens with
// any.
int TicketCallback(SSL* ssl, unsigned char name[16], unsigned char iv[EVP_MAX_IV_LENGTH], EVP_CIPHER_CTX* cipher,
                   EVP_MAC_CTX* mac, int seal) {
  const auto* keys = static_cast<const std::vector<TlsContext::TicketKey>*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), TicketKeysIndex()));
  if (keys == nullptr || keys->empty()) return -1;
  auto use_mac = [mac](const TlsContext::TicketKey& key) {
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key.hmac), sizeof key.hmac),
        OSSL_PARAM_construct_end()};
    return EVP_MAC_CTX_set_params(mac, params) == 1;
  };
  if (seal == 1) {
    const TlsContext::TicketKey& key = keys->front();
    std::memcpy(name, key.name, sizeof key.name);
    if (RAND_bytes(iv, 16) != 1 || EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv) != 1 ||
        !use_mac(key)) {
      return -1;
    }
    return 1;
  }
  for (size_t i = 0; i < keys->size(); ++i) {
    const TlsContext::TicketKey& key = (*keys)[i];
    if (std::memcmp(name, key.name, sizeof key.name) != 0) continue;
    if (!use_mac(key) || EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv) != 1) return -1;
    // A new ticket under the first key when another opened this one, and
    // always in TLS 1.3, whose clients use a ticket once (RFC 8446 C.4):
    // without one they would make a full handshake every other time.
    return i == 0 && SSL_version(ssl) != TLS1_3_VERSION ? 1 : 2;
  }
  return 0;  // a key no longer listed: a full handshake
}

absl::StatusOr<std::shared_ptr<ssl::context>> Build(const TlsFiles& files,
                                                    const std::vector<TlsContext::TicketKey>& ticket_keys) {
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
  // The onboarding CA and the manufacturers' CAs all verify client
  // certificates; which one issued a phone's is read after the handshake.
  STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
  for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"tls_client_ca_file", files.client_ca_file},
                                  {"factory_ca_file", files.factory_ca_file}}) {
    if (path.empty()) continue;
    context->load_verify_file(path, error);
    if (error || SSL_add_file_cert_subjects_to_stack(names, path.c_str()) != 1) {
      sk_X509_NAME_pop_free(names, X509_NAME_free);
      return absl::InvalidArgumentError(
          absl::StrCat(flag, " ", path, ": ", error ? error.message() : "no certificates"));
    }
  }
  if (sk_X509_NAME_num(names) > 0) {
    SSL_CTX_set_client_CA_list(native, names);
    context->set_verify_mode(ssl::verify_peer);  // asked for, not required
    context->set_verify_depth(4);
  } else {
    sk_X509_NAME_free(names);
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
  if (!ticket_keys.empty()) {
    SSL_CTX_set_ex_data(native, TicketKeysIndex(), const_cast<std::vector<TlsContext::TicketKey>*>(&ticket_keys));
    SSL_CTX_set_tlsext_ticket_key_evp_cb(native, TicketCallback);
  }
  return context;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::Load(const TlsFiles& files) {
  std::unique_ptr<TlsContext> tls(new TlsContext(files));
  if (absl::Status loaded = tls->Reload(); !loaded.ok()) return loaded;
  return tls;
}

absl::Status TlsContext::Reload() {
  auto loaded = std::make_shared<Loaded>();
  absl::StatusOr<std::vector<TicketKey>> ticket_keys = ReadTicketKeys(files_.ticket_key_files);
  if (!ticket_keys.ok()) return ticket_keys.status();
  loaded->ticket_keys = *std::move(ticket_keys);
  absl::StatusOr<std::shared_ptr<ssl::context>> built = Build(files_, loaded->ticket_keys);
  if (!built.ok()) return built.status();
  loaded->ssl = *std::move(built);
  if (!files_.factory_ca_file.empty()) {
    absl::StatusOr<std::vector<pki::Certificate>> cas = ReadCas("factory_ca_file", files_.factory_ca_file);
    if (!cas.ok()) return cas.status();
    loaded->factory_cas = *std::move(cas);
  }
  if (!files_.client_ca_file.empty()) {
    absl::StatusOr<std::vector<pki::Certificate>> cas = ReadCas("tls_client_ca_file", files_.client_ca_file);
    if (!cas.ok()) return cas.status();
    loaded->registration_cas = *std::move(cas);
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(loaded);
  return absl::OkStatus();
}

std::shared_ptr<const TlsContext::Loaded> TlsContext::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void TlsContext::Loaded::Identify(SSL* ssl, Peer* peer) const {
  // Resumed sessions keep the peer's certificate and its verify result.
  X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return;
  auto issued_by_one_of = [certificate](const std::vector<pki::Certificate>& cas) {
    for (const pki::Certificate& ca : cas) {
      if (pki::IssuedBy(certificate, ca.get())) return true;
    }
    return false;
  };
  if (issued_by_one_of(registration_cas)) {
    peer->client_certificate = ClientCertificate::kRegistration;
  } else if (issued_by_one_of(factory_cas)) {
    peer->client_certificate = ClientCertificate::kFactory;
  } else {
    return;  // verified through a chain the bundles' leaves do not name: not a phone's
  }
  peer->client_common_name = pki::CommonName(certificate);
  peer->client_serial = pki::SerialHex(certificate);
}

}  // namespace onramp::gateway
