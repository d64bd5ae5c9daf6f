#include "services/device-activation/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/profile_crypto/digest.h"
#include "lib/proto/messages.h"
#include "lib/status/error_detail.h"
#include "lib/status/grpc_status.h"
#include "lib/status/status_macros.h"
#include "lib/store/page_token.h"
#include "lib/store/transaction.h"
#include "lib/validation/fields.h"
#include "pqxx/pqxx"

namespace onramp::device {
namespace {

using status::InvalidField;
using status::ToGrpcStatus;

constexpr char kPrefix[] = "onr";
constexpr char kColumns[] =
    "id, partner, name, extract(epoch FROM create_time)::float8, "
    "extract(epoch FROM revoke_time)::float8";

absl::StatusOr<std::string> RandomText(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  return raw;
}

void FromRow(const pqxx::row& row, v1::ApiKey* key) {
  key->set_id(row[0].as<std::string>());
  key->set_partner(row[1].as<std::string>());
  key->set_name(row[2].as<std::string>());
  proto::SetTimestamp(absl::FromUnixMicros(static_cast<int64_t>(row[3].as<double>() * 1e6)),
                      key->mutable_create_time());
  if (!row[4].is_null()) {
    proto::SetTimestamp(absl::FromUnixMicros(static_cast<int64_t>(row[4].as<double>() * 1e6)),
                        key->mutable_revoke_time());
  }
}

}  // namespace

grpc::Status ApiKeyServiceImpl::CreateApiKey(grpc::ServerContext*, const v1::CreateApiKeyRequest* request,
                                             v1::CreateApiKeyResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Text("name", request->name(), 128));
    ASSIGN_OR_RETURN(std::string id_bytes, RandomText(8));
    ASSIGN_OR_RETURN(std::string secret_bytes, RandomText(32));
    std::string id = absl::BytesToHexString(id_bytes);
    std::string secret = absl::WebSafeBase64Escape(secret_bytes);
    return store::Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
      pqxx::result rows = tx.exec_params(
          absl::StrCat("INSERT INTO device.api_keys (id, partner, name, secret_sha256) VALUES ($1, $2, $3, $4) "
                       "RETURNING ",
                       kColumns),
          id, request->partner(), request->name(), profile_crypto::Sha256Hex(secret));
      FromRow(rows[0], response->mutable_key());
      response->set_secret(absl::StrCat(kPrefix, "_", id, "_", secret));
      return absl::OkStatus();
    });
  };
  return ToGrpcStatus(run());
}

grpc::Status ApiKeyServiceImpl::ListApiKeys(grpc::ServerContext*, const v1::ListApiKeysRequest* request,
                                            v1::ListApiKeysResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    absl::StatusOr<std::string> after = store::PositionOf(request->page().page_token());
    if (!after.ok()) return validation::PageTokenError(after.status());
    return store::Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
      response->Clear();
      pqxx::result rows = tx.exec_params(
          absl::StrCat("SELECT ", kColumns, " FROM device.api_keys WHERE partner = $1 AND id > $2 ORDER BY id LIMIT $3"),
          request->partner(), *after, page_size + 1);
      for (const pqxx::row& row : rows) {
        if (response->keys_size() == page_size) {
          response->mutable_page()->set_next_page_token(store::PageTokenAfter(response->keys().rbegin()->id()));
          break;
        }
        FromRow(row, response->add_keys());
      }
      return absl::OkStatus();
    }, {.read_only = true});
  };
  return ToGrpcStatus(run());
}

grpc::Status ApiKeyServiceImpl::RevokeApiKey(grpc::ServerContext*, const v1::RevokeApiKeyRequest* request,
                                             v1::ApiKey* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Text("id", request->id(), 64));
    return store::Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
      // Revoking twice keeps the first time.
      pqxx::result rows = tx.exec_params(
          absl::StrCat("UPDATE device.api_keys SET revoke_time = coalesce(revoke_time, now()) "
                       "WHERE id = $1 AND partner = $2 RETURNING ",
                       kColumns),
          request->id(), request->partner());
      if (rows.empty()) return absl::NotFoundError(absl::StrCat("no API key ", request->id()));
      FromRow(rows[0], response);
      return absl::OkStatus();
    });
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
    std::string presented = profile_crypto::Sha256Hex(parts[2]);
    std::optional<std::string> stored;
    RETURN_IF_ERROR(store::Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
      pqxx::result rows = tx.exec_params(
          absl::StrCat("SELECT ", kColumns, ", secret_sha256 FROM device.api_keys WHERE id = $1"), parts[1]);
      if (rows.empty()) return absl::OkStatus();
      FromRow(rows[0], response);
      stored = rows[0][5].as<std::string>();
      return absl::OkStatus();
    }, {.read_only = true}));
    if (!stored || stored->size() != presented.size() ||
        CRYPTO_memcmp(stored->data(), presented.data(), presented.size()) != 0 || response->has_revoke_time()) {
      response->Clear();
      return refused;
    }
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

}  // namespace onramp::device
