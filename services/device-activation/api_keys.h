#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_API_KEYS_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_API_KEYS_H_

// Partners' REST API keys (table device.api_keys): made with 32 random
// bytes, shown once as "onr_<id>_<secret>", kept as the secret's SHA-256,
// revocable. The gateway authenticates every partner request with one, or
// with a console session (device.console_sessions) started with one.

#include "onramp/device/v1/device.grpc.pb.h"
#include "services/device-activation/api_key_store.h"

namespace onramp::device {

class ApiKeyServiceImpl final : public v1::ApiKeyService::Service {
 public:
  explicit ApiKeyServiceImpl(ApiKeyStore& store) : store_(store) {}

  grpc::Status CreateApiKey(grpc::ServerContext*, const v1::CreateApiKeyRequest* request,
                            v1::CreateApiKeyResponse* response) override;
  grpc::Status ListApiKeys(grpc::ServerContext*, const v1::ListApiKeysRequest* request,
                           v1::ListApiKeysResponse* response) override;
  grpc::Status RevokeApiKey(grpc::ServerContext*, const v1::RevokeApiKeyRequest* request,
                            v1::ApiKey* response) override;
  grpc::Status AuthenticateApiKey(grpc::ServerContext*, const v1::AuthenticateApiKeyRequest* request,
                                  v1::ApiKey* response) override;
  grpc::Status StartConsoleSession(grpc::ServerContext*, const v1::StartConsoleSessionRequest* request,
                                   v1::StartConsoleSessionResponse* response) override;
  grpc::Status AuthenticateConsoleSession(grpc::ServerContext*, const v1::ConsoleSessionSecret* request,
                                          v1::ConsoleSession* response) override;
  grpc::Status EndConsoleSession(grpc::ServerContext*, const v1::ConsoleSessionSecret* request,
                                 v1::EndConsoleSessionResponse* response) override;

 private:
  // The live key `secret` (a whole bearer token) is, or UNAUTHENTICATED.
  absl::StatusOr<ApiKeyRecord> KeyOf(const std::string& secret);

  ApiKeyStore& store_;
};

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_API_KEYS_H_
