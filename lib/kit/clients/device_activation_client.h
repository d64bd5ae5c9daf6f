#ifndef ONRAMP_LIB_KIT_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_
#define ONRAMP_LIB_KIT_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_

// DeviceActivation over gRPC, through a ServiceChannel (lib/kit/clients/channel.h) and a
// Backend (deadline, bounded in-flight calls, retries of what is safe to
// repeat).

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "lib/kit/clients/backend.h"
#include "lib/kit/clients/device_activation.h"
#include "onramp/device/v1/device.grpc.pb.h"

namespace onramp::clients {

class DeviceActivationClient final : public DeviceActivation {
 public:
  DeviceActivationClient(const std::string& address, CallPolicy policy = {});

  absl::StatusOr<device::v1::ClaimDevicesResponse> ClaimDevices(
      const device::v1::ClaimDevicesRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::Device> ReleaseDevice(
      const device::v1::DeviceRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::Device> GetDevice(
      const device::v1::DeviceRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::Owner> GetOwner(
      const device::v1::OwnerRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::ListDevicesResponse> ListDevices(
      const device::v1::ListDevicesRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::Timeline> GetTimeline(
      const device::v1::DeviceRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::LookupResponse> Lookup(
      const device::v1::LookupRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::LookupResponse> Admit(
      const device::v1::AdmitRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::ResolveShortCodeResponse> ResolveShortCode(
      const device::v1::ResolveShortCodeRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::DeviceState> ReportState(
      const device::v1::ReportStateRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::RegisterResponse> Register(
      const device::v1::RegisterRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::RedirectProfile> CreateRedirectProfile(
      const device::v1::CreateRedirectProfileRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::RedirectProfile> GetRedirectProfile(
      const device::v1::RedirectProfileRef& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::ListRedirectProfilesResponse> ListRedirectProfiles(
      const device::v1::ListRedirectProfilesRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::RedirectProfile> DeleteRedirectProfile(
      const device::v1::RedirectProfileRef& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::ListRevokedCertificatesResponse> ListRevokedCertificates(
      const device::v1::ListRevokedCertificatesRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::RecordEventsResponse> RecordEvents(
      const device::v1::RecordEventsRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::ApiKey> AuthenticateApiKey(const std::string& secret,
                                                        const std::string& request_id) override;

 private:
  DeviceActivationClient(std::shared_ptr<grpc::Channel> channel, CallPolicy policy);

  std::unique_ptr<device::v1::DeviceActivationService::Stub> stub_;
  std::unique_ptr<device::v1::ApiKeyService::Stub> keys_stub_;
  std::unique_ptr<device::v1::WebhookService::Stub> webhooks_stub_;
  Backend backend_;
  absl::StatusOr<device::v1::GetOwnersResponse> GetOwners(
      const device::v1::GetOwnersRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::CreateWebhookResponse> CreateWebhook(
      const device::v1::CreateWebhookRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::ListWebhooksResponse> ListWebhooks(
      const device::v1::ListWebhooksRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::Webhook> DeleteWebhook(
      const device::v1::WebhookRef& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::ListWebhookDeliveriesResponse> ListWebhookDeliveries(
      const device::v1::ListWebhookDeliveriesRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::RecordEventResponse> RecordPartnerEvent(
      const device::v1::RecordPartnerEventRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::RecordLogsResponse> RecordLogs(
      const device::v1::RecordLogsRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::ListLogsResponse> ListLogs(
      const device::v1::ListLogsRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::DeviceSummary> SummarizeDevices(
      const device::v1::SummarizeDevicesRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::StartConsoleSessionResponse> StartConsoleSession(
      const device::v1::StartConsoleSessionRequest& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::ConsoleSession> AuthenticateConsoleSession(
      const device::v1::ConsoleSessionSecret& request, const std::string& request_id) override;
  absl::StatusOr<device::v1::EndConsoleSessionResponse> EndConsoleSession(
      const device::v1::ConsoleSessionSecret& request, const std::string& request_id) override;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_
