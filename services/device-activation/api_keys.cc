#include "services/device-activation/api_keys.h"

#include <openssl/crypto.h>

#include <optional>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/digest/digest.h"
#include "lib/kit/proto/messages.h"
#include "lib/base/random/random.h"
#include "lib/kit/status/grpc_status.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"

namespace onramp::device {
namespace {

using status::ToGrpcStatus;

constexpr char kPrefix[] = "onr";
constexpr char kSessionPrefix[] = "ons";
// A console session lasts while used at least this often ...
constexpr absl::Duration kSessionIdle = absl::Minutes(30);
// ... and never longer than this: then its partner signs in again.
constexpr absl::Duration kSessionLifetime = absl::Hours(12);

struct Token {
  std::string id;
  std::string secret;
};

// "<prefix>_<16 hex id>_<secret>", or nullopt.
std::optional<Token> ParseToken(std::string_view prefix, const std::string& token) {
  std::vector<std::string> parts = absl::StrSplit(token, absl::MaxSplits('_', 2));
  if (parts.size() != 3 || parts[0] != prefix || parts[1].size() != 16 || parts[2].size() > 64) return std::nullopt;
  return Token{.id = std::move(parts[1]), .secret = std::move(parts[2])};
}

// Whether `secret` hashes to `stored`, in constant time.
bool SecretMatches(const std::string& stored, const std::string& secret) {
  std::string presented = digest::Sha256Hex(secret);
  return stored.size() == presented.size() && CRYPTO_memcmp(stored.data(), presented.data(), presented.size()) == 0;
}

// A new token's id (16 hex digits) and secret.
absl::StatusOr<Token> NewToken() {
  ASSIGN_OR_RETURN(std::string id_bytes, random::Bytes(8));
  ASSIGN_OR_RETURN(std::string secret_bytes, random::Bytes(32));
  return Token{.id = absl::BytesToHexString(id_bytes), .secret = absl::WebSafeBase64Escape(secret_bytes)};
}

void ToProto(const ApiKeyRecord& key, v1::ApiKey* out) {
  out->set_id(key.id);
  out->set_partner(key.partner);
  out->set_name(key.name);
  proto::SetTimestamp(key.created, out->mutable_create_time());
  if (key.revoked) proto::SetTimestamp(*key.revoked, out->mutable_revoke_time());
}

void ToProto(const ConsoleSessionRecord& session, v1::ConsoleSession* out) {
  out->set_id(session.id);
  out->set_partner(session.partner);
  out->set_api_key_id(session.api_key_id);
  proto::SetTimestamp(session.started, out->mutable_start_time());
  proto::SetTimestamp(session.expires, out->mutable_expire_time());
}

}  // namespace

grpc::Status ApiKeyServiceImpl::CreateApiKey(grpc::ServerContext*, const v1::CreateApiKeyRequest* request,
                                             v1::CreateApiKeyResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Text("name", request->name(), 128));
    ASSIGN_OR_RETURN(Token token, NewToken());
    ASSIGN_OR_RETURN(ApiKeyRecord key, store_.Create(token.id, request->partner(), request->name(),
                                                     digest::Sha256Hex(token.secret)));
    ToProto(key, response->mutable_key());
    response->set_secret(absl::StrCat(kPrefix, "_", token.id, "_", token.secret));
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ApiKeyServiceImpl::ListApiKeys(grpc::ServerContext*, const v1::ListApiKeysRequest* request,
                                            v1::ListApiKeysResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed = store_.List(request->partner(), page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const ApiKeyRecord& key : listed->first) ToProto(key, response->add_keys());
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ApiKeyServiceImpl::RevokeApiKey(grpc::ServerContext*, const v1::RevokeApiKeyRequest* request,
                                             v1::ApiKey* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Text("id", request->id(), 64));
    ASSIGN_OR_RETURN(ApiKeyRecord key, store_.Revoke(request->partner(), request->id()));
    ToProto(key, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

absl::StatusOr<ApiKeyRecord> ApiKeyServiceImpl::KeyOf(const std::string& secret) {
  // One answer for every way of being wrong: nothing to learn by probing.
  const absl::Status refused = absl::UnauthenticatedError("unknown or revoked API key");
  std::optional<Token> token = ParseToken(kPrefix, secret);
  if (!token) return refused;
  ASSIGN_OR_RETURN(auto found, store_.Find(token->id));
  if (!found) return refused;
  const auto& [key, stored] = *found;
  if (!SecretMatches(stored, token->secret) || key.revoked) return refused;
  return key;
}

grpc::Status ApiKeyServiceImpl::AuthenticateApiKey(grpc::ServerContext*,
                                                   const v1::AuthenticateApiKeyRequest* request,
                                                   v1::ApiKey* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(ApiKeyRecord key, KeyOf(request->secret()));
    ToProto(key, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ApiKeyServiceImpl::StartConsoleSession(grpc::ServerContext*,
                                                    const v1::StartConsoleSessionRequest* request,
                                                    v1::StartConsoleSessionResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(ApiKeyRecord key, KeyOf(request->api_key()));
    ASSIGN_OR_RETURN(Token token, NewToken());
    ASSIGN_OR_RETURN(ConsoleSessionRecord session,
                     store_.StartSession(token.id, key.id, digest::Sha256Hex(token.secret), kSessionIdle));
    ToProto(session, response->mutable_session());
    response->set_secret(absl::StrCat(kSessionPrefix, "_", token.id, "_", token.secret));
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ApiKeyServiceImpl::AuthenticateConsoleSession(grpc::ServerContext*,
                                                           const v1::ConsoleSessionSecret* request,
                                                           v1::ConsoleSession* response) {
  auto run = [&]() -> absl::Status {
    const absl::Status refused = absl::UnauthenticatedError("unknown, ended or expired console session");
    std::optional<Token> token = ParseToken(kSessionPrefix, request->secret());
    if (!token) return refused;
    ASSIGN_OR_RETURN(auto found, store_.FindLiveSession(token->id));
    if (!found || !SecretMatches(found->second, token->secret)) return refused;
    absl::StatusOr<ConsoleSessionRecord> touched = store_.TouchSession(token->id, kSessionIdle, kSessionLifetime);
    if (absl::IsNotFound(touched.status())) return refused;  // ended in between
    if (!touched.ok()) return touched.status();
    ToProto(*touched, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ApiKeyServiceImpl::EndConsoleSession(grpc::ServerContext*, const v1::ConsoleSessionSecret* request,
                                                  v1::EndConsoleSessionResponse*) {
  auto run = [&]() -> absl::Status {
    std::optional<Token> token = ParseToken(kSessionPrefix, request->secret());
    if (!token) return absl::OkStatus();
    ASSIGN_OR_RETURN(auto found, store_.FindLiveSession(token->id));
    // Only the secret's holder may end it: a session id alone ends nothing.
    if (!found || !SecretMatches(found->second, token->secret)) return absl::OkStatus();
    return store_.EndSession(token->id);
  };
  return ToGrpcStatus(run());
}

}  // namespace onramp::device
