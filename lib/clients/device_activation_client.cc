#include "lib/clients/device_activation_client.h"

#include "lib/clients/channel.h"
#include "lib/clients/unary_call.h"

namespace onramp::clients {

using Stub = device::v1::DeviceActivationService::Stub;

DeviceActivationClient::DeviceActivationClient(const std::string& address, CallPolicy policy)
    : DeviceActivationClient(ServiceChannel(address), std::move(policy)) {}

DeviceActivationClient::DeviceActivationClient(std::shared_ptr<grpc::Channel> channel, CallPolicy policy)
    : stub_(device::v1::DeviceActivationService::NewStub(channel)),
      keys_stub_(device::v1::ApiKeyService::NewStub(channel)),
      backend_("device-activation", std::move(policy)) {}

absl::StatusOr<device::v1::LookupResponse> DeviceActivationClient::Lookup(
    const device::v1::LookupRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Lookup", Repeat::kSafe, *stub_, &Stub::Lookup, request, request_id);
}

absl::StatusOr<device::v1::ResolveShortCodeResponse> DeviceActivationClient::ResolveShortCode(
    const device::v1::ResolveShortCodeRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ResolveShortCode", Repeat::kSafe, *stub_, &Stub::ResolveShortCode, request,
                   request_id);
}

absl::StatusOr<device::v1::RegisterResponse> DeviceActivationClient::Register(
    const device::v1::RegisterRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Register", Repeat::kOnce, *stub_, &Stub::Register, request, request_id);
}

absl::StatusOr<device::v1::ApiKey> DeviceActivationClient::AuthenticateApiKey(const std::string& secret,
                                                                             const std::string& request_id) {
  device::v1::AuthenticateApiKeyRequest request;
  request.set_secret(secret);
  return UnaryCall(backend_, "AuthenticateApiKey", Repeat::kSafe, *keys_stub_,
                   &device::v1::ApiKeyService::Stub::AuthenticateApiKey, request, request_id);
}

absl::Status DeviceActivationClient::RecordEvent(const std::string& mac, const std::string& kind,
                                                 const std::string& detail,
                                                 const std::string& source,
                                                 const std::string& request_id) {
  device::v1::RecordEventRequest request;
  request.mutable_mac()->set_value(mac);
  request.set_kind(kind);
  request.set_detail(detail);
  request.set_source(source);
  return UnaryCall(backend_, "RecordEvent", Repeat::kOnce, *stub_, &Stub::RecordEvent, request, request_id).status();
}

absl::Status DeviceActivationClient::RecordEvents(const std::vector<device::v1::RecordEventRequest>& events,
                                                  const std::string& request_id) {
  device::v1::RecordEventsRequest request;
  request.mutable_events()->Assign(events.begin(), events.end());
  return UnaryCall(backend_, "RecordEvents", Repeat::kOnce, *stub_, &Stub::RecordEvents, request, request_id)
      .status();
}

}  // namespace onramp::clients
