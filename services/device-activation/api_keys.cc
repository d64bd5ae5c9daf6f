#include "services/device-activation/api_keys.h"

#include <openssl/crypto.h>

#include <optional>

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

void ToProto(const ApiKeyRecord& key, v1::ApiKey* out) {
  out->set_id(key.id);
  out->set_partner(key.partner);
  out->set_name(key.name);
  proto::SetTimestamp(key.created, out->mutable_create_time());
  if (key.revoked) proto::SetTimestamp(*key.revoked, out->mutable_revoke_time());
}

}  // namespace

grpc::Status ApiKeyServiceImpl::CreateApiKey(grpc::ServerContext*, const v1::CreateApiKeyRequest* request,
                                             v1::CreateApiKeyResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Text("name", request->name(), 128));
    ASSIGN_OR_RETURN(std::string id_bytes, random::Bytes(8));
    ASSIGN_OR_RETURN(std::string secret_bytes, random::Bytes(32));
    std::string id = absl::BytesToHexString(id_bytes);
    std::string secret = absl::WebSafeBase64Escape(secret_bytes);
    ASSIGN_OR_RETURN(ApiKeyRecord key,
                     store_.Create(id, request->partner(), request->name(), digest::Sha256Hex(secret)));
    ToProto(key, response->mutable_key());
    response->set_secret(absl::StrCat(kPrefix, "_", id, "_", secret));
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

grpc::Status ApiKeyServiceImpl::AuthenticateApiKey(grpc::ServerContext*,
                                                   const v1::AuthenticateApiKeyRequest* request,
                                                   v1::ApiKey* response) {
  auto run = [&]() -> absl::Status {
    // One answer for every way of being wrong: nothing to learn by probing.
    const absl::Status refused = absl::UnauthenticatedError("unknown or revoked API key");
    std::vector<std::string> parts = absl::StrSplit(request->secret(), absl::MaxSplits('_', 2));
    if (parts.size() != 3 || parts[0] != kPrefix || parts[1].size() != 16 || parts[2].size() > 64) return refused;
    std::string presented = digest::Sha256Hex(parts[2]);
    ASSIGN_OR_RETURN(auto found, store_.Find(parts[1]));
    if (!found) return refused;
    const auto& [key, stored] = *found;
    if (stored.size() != presented.size() || CRYPTO_memcmp(stored.data(), presented.data(), presented.size()) != 0 ||
        key.revoked) {
      return refused;
    }
    ToProto(key, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

}  // namespace onramp::device
