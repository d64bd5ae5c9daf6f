#include "lib/kit/clients/device_activation_client.h"

#include "lib/kit/clients/channel.h"
#include "lib/kit/clients/unary_call.h"

namespace onramp::clients {

using Stub = device::v1::DeviceActivationService::Stub;

DeviceActivationClient::DeviceActivationClient(const std::string& address, CallPolicy policy)
    : DeviceActivationClient(ServiceChannel(address), std::move(policy)) {}

DeviceActivationClient::DeviceActivationClient(std::shared_ptr<grpc::Channel> channel, CallPolicy policy)
    : stub_(device::v1::DeviceActivationService::NewStub(channel)),
      keys_stub_(device::v1::ApiKeyService::NewStub(channel)),
      webhooks_stub_(device::v1::WebhookService::NewStub(channel)),
      backend_("device-activation", std::move(policy)) {}

absl::StatusOr<device::v1::ClaimDevicesResponse> DeviceActivationClient::ClaimDevices(
    const device::v1::ClaimDevicesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ClaimDevices",
                   request.idempotency_key().empty() ? Repeat::kOnce : Repeat::kSafe, *stub_,
                   &Stub::ClaimDevices, request, request_id);
}

absl::StatusOr<device::v1::Device> DeviceActivationClient::ReleaseDevice(
    const device::v1::DeviceRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ReleaseDevice", Repeat::kSafe, *stub_, &Stub::ReleaseDevice, request,
                   request_id);
}

absl::StatusOr<device::v1::Device> DeviceActivationClient::GetDevice(const device::v1::DeviceRequest& request,
                                                                     const std::string& request_id) {
  return UnaryCall(backend_, "GetDevice", Repeat::kSafe, *stub_, &Stub::GetDevice, request, request_id);
}

absl::StatusOr<device::v1::Owner> DeviceActivationClient::GetOwner(const device::v1::OwnerRequest& request,
                                                                   const std::string& request_id) {
  return UnaryCall(backend_, "GetOwner", Repeat::kSafe, *stub_, &Stub::GetOwner, request, request_id);
}

absl::StatusOr<device::v1::ListDevicesResponse> DeviceActivationClient::ListDevices(
    const device::v1::ListDevicesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListDevices", Repeat::kSafe, *stub_, &Stub::ListDevices, request, request_id);
}

absl::StatusOr<device::v1::Timeline> DeviceActivationClient::GetTimeline(
    const device::v1::DeviceRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "GetTimeline", Repeat::kSafe, *stub_, &Stub::GetTimeline, request, request_id);
}

absl::StatusOr<device::v1::LookupResponse> DeviceActivationClient::Lookup(
    const device::v1::LookupRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Lookup", Repeat::kSafe, *stub_, &Stub::Lookup, request, request_id);
}

absl::StatusOr<device::v1::LookupResponse> DeviceActivationClient::Admit(
    const device::v1::AdmitRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Admit", Repeat::kSafe, *stub_, &Stub::Admit, request, request_id);
}

absl::StatusOr<device::v1::ResolveShortCodeResponse> DeviceActivationClient::ResolveShortCode(
    const device::v1::ResolveShortCodeRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ResolveShortCode", Repeat::kSafe, *stub_, &Stub::ResolveShortCode, request,
                   request_id);
}

absl::StatusOr<device::v1::DeviceState> DeviceActivationClient::ReportState(
    const device::v1::ReportStateRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ReportState", Repeat::kSafe, *stub_, &Stub::ReportState, request, request_id);
}

absl::StatusOr<device::v1::RegisterResponse> DeviceActivationClient::Register(
    const device::v1::RegisterRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Register", Repeat::kOnce, *stub_, &Stub::Register, request, request_id);
}

absl::StatusOr<device::v1::RedirectProfile> DeviceActivationClient::CreateRedirectProfile(
    const device::v1::CreateRedirectProfileRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "CreateRedirectProfile", Repeat::kOnce, *stub_, &Stub::CreateRedirectProfile,
                   request, request_id);
}

absl::StatusOr<device::v1::RedirectProfile> DeviceActivationClient::GetRedirectProfile(
    const device::v1::RedirectProfileRef& request, const std::string& request_id) {
  return UnaryCall(backend_, "GetRedirectProfile", Repeat::kSafe, *stub_, &Stub::GetRedirectProfile, request,
                   request_id);
}

absl::StatusOr<device::v1::ListRedirectProfilesResponse> DeviceActivationClient::ListRedirectProfiles(
    const device::v1::ListRedirectProfilesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListRedirectProfiles", Repeat::kSafe, *stub_, &Stub::ListRedirectProfiles,
                   request, request_id);
}

absl::StatusOr<device::v1::RedirectProfile> DeviceActivationClient::DeleteRedirectProfile(
    const device::v1::RedirectProfileRef& request, const std::string& request_id) {
  return UnaryCall(backend_, "DeleteRedirectProfile", Repeat::kSafe, *stub_, &Stub::DeleteRedirectProfile,
                   request, request_id);
}

absl::StatusOr<device::v1::ListRevokedCertificatesResponse> DeviceActivationClient::ListRevokedCertificates(
    const device::v1::ListRevokedCertificatesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListRevokedCertificates", Repeat::kSafe, *stub_, &Stub::ListRevokedCertificates,
                   request, request_id);
}

absl::StatusOr<device::v1::RecordEventsResponse> DeviceActivationClient::RecordEvents(
    const device::v1::RecordEventsRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "RecordEvents", Repeat::kSafe, *stub_, &Stub::RecordEvents, request, request_id);
}

absl::StatusOr<device::v1::ApiKey> DeviceActivationClient::AuthenticateApiKey(const std::string& secret,
                                                                              const std::string& request_id) {
  device::v1::AuthenticateApiKeyRequest request;
  request.set_secret(secret);
  return UnaryCall(backend_, "AuthenticateApiKey", Repeat::kSafe, *keys_stub_,
                   &device::v1::ApiKeyService::Stub::AuthenticateApiKey, request, request_id);
}

absl::StatusOr<device::v1::GetOwnersResponse> DeviceActivationClient::GetOwners(
    const device::v1::GetOwnersRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "GetOwners", Repeat::kSafe, *stub_, &Stub::GetOwners, request, request_id);
}

absl::StatusOr<device::v1::CreateWebhookResponse> DeviceActivationClient::CreateWebhook(
    const device::v1::CreateWebhookRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "CreateWebhook", Repeat::kOnce,
                   *webhooks_stub_, &device::v1::WebhookService::Stub::CreateWebhook, request, request_id);
}

absl::StatusOr<device::v1::ListWebhooksResponse> DeviceActivationClient::ListWebhooks(
    const device::v1::ListWebhooksRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListWebhooks", Repeat::kSafe,
                   *webhooks_stub_, &device::v1::WebhookService::Stub::ListWebhooks, request, request_id);
}

absl::StatusOr<device::v1::Webhook> DeviceActivationClient::DeleteWebhook(
    const device::v1::WebhookRef& request, const std::string& request_id) {
  return UnaryCall(backend_, "DeleteWebhook", Repeat::kSafe,
                   *webhooks_stub_, &device::v1::WebhookService::Stub::DeleteWebhook, request, request_id);
}

absl::StatusOr<device::v1::ListWebhookDeliveriesResponse> DeviceActivationClient::ListWebhookDeliveries(
    const device::v1::ListWebhookDeliveriesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListWebhookDeliveries", Repeat::kSafe,
                   *webhooks_stub_, &device::v1::WebhookService::Stub::ListWebhookDeliveries, request, request_id);
}

absl::StatusOr<device::v1::RecordEventResponse> DeviceActivationClient::RecordPartnerEvent(
    const device::v1::RecordPartnerEventRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "RecordPartnerEvent", Repeat::kSafe,
                   *stub_, &Stub::RecordPartnerEvent, request, request_id);
}

absl::StatusOr<device::v1::RecordLogsResponse> DeviceActivationClient::RecordLogs(
    const device::v1::RecordLogsRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "RecordLogs", Repeat::kSafe, *stub_, &Stub::RecordLogs, request, request_id);
}

absl::StatusOr<device::v1::ListLogsResponse> DeviceActivationClient::ListLogs(
    const device::v1::ListLogsRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListLogs", Repeat::kSafe, *stub_, &Stub::ListLogs, request, request_id);
}

absl::StatusOr<device::v1::DeviceSummary> DeviceActivationClient::SummarizeDevices(
    const device::v1::SummarizeDevicesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "SummarizeDevices", Repeat::kSafe, *stub_, &Stub::SummarizeDevices, request,
                   request_id);
}

absl::StatusOr<device::v1::StartConsoleSessionResponse> DeviceActivationClient::StartConsoleSession(
    const device::v1::StartConsoleSessionRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "StartConsoleSession", Repeat::kOnce, *keys_stub_,
                   &device::v1::ApiKeyService::Stub::StartConsoleSession, request, request_id);
}

absl::StatusOr<device::v1::ConsoleSession> DeviceActivationClient::AuthenticateConsoleSession(
    const device::v1::ConsoleSessionSecret& request, const std::string& request_id) {
  return UnaryCall(backend_, "AuthenticateConsoleSession", Repeat::kSafe, *keys_stub_,
                   &device::v1::ApiKeyService::Stub::AuthenticateConsoleSession, request, request_id);
}

absl::StatusOr<device::v1::EndConsoleSessionResponse> DeviceActivationClient::EndConsoleSession(
    const device::v1::ConsoleSessionSecret& request, const std::string& request_id) {
  return UnaryCall(backend_, "EndConsoleSession", Repeat::kSafe, *keys_stub_,
                   &device::v1::ApiKeyService::Stub::EndConsoleSession, request, request_id);
}

}  // namespace onramp::clients
