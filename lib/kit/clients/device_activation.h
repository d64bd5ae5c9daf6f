#ifndef ONRAMP_LIB_KIT_CLIENTS_DEVICE_ACTIVATION_H_
#define ONRAMP_LIB_KIT_CLIENTS_DEVICE_ACTIVATION_H_

// The device-activation service as other services call it. One method per RPC;
// the implementation (DeviceActivationClient, over gRPC) decides which are
// retried, and tests hand callers a mock (testing/mock_clients.h).
// `request_id` (may be empty) joins a call to the request being served.

#include <string>

#include "absl/status/statusor.h"
#include "onramp/device/v1/device.pb.h"

namespace onramp::clients {

class DeviceActivation {
 public:
  virtual ~DeviceActivation() = default;

  // Repeated only with an idempotency key.
  virtual absl::StatusOr<device::v1::ClaimDevicesResponse> ClaimDevices(
      const device::v1::ClaimDevicesRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::Device> ReleaseDevice(
      const device::v1::DeviceRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::Device> GetDevice(
      const device::v1::DeviceRequest& request, const std::string& request_id) = 0;
  // NOT_FOUND: no partner has claimed the phone.
  virtual absl::StatusOr<device::v1::Owner> GetOwner(
      const device::v1::OwnerRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::ListDevicesResponse> ListDevices(
      const device::v1::ListDevicesRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::Timeline> GetTimeline(
      const device::v1::DeviceRequest& request, const std::string& request_id) = 0;
  // The phone's redirect query.
  virtual absl::StatusOr<device::v1::LookupResponse> Lookup(
      const device::v1::LookupRequest& request, const std::string& request_id) = 0;
  // A phone that redeemed a code, taken in by the code's partner.
  virtual absl::StatusOr<device::v1::LookupResponse> Admit(
      const device::v1::AdmitRequest& request, const std::string& request_id) = 0;
  // The redirect profile a '#'-short code names.
  virtual absl::StatusOr<device::v1::ResolveShortCodeResponse> ResolveShortCode(
      const device::v1::ResolveShortCodeRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::DeviceState> ReportState(
      const device::v1::ReportStateRequest& request, const std::string& request_id) = 0;
  // A phone's cloud registration: its CSR signed, given the one-time
  // credential. Not repeated (the credential works once).
  virtual absl::StatusOr<device::v1::RegisterResponse> Register(
      const device::v1::RegisterRequest& request, const std::string& request_id) = 0;
  // Not repeated: the name is the natural key, so a retry would be ALREADY_EXISTS.
  virtual absl::StatusOr<device::v1::RedirectProfile> CreateRedirectProfile(
      const device::v1::CreateRedirectProfileRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::RedirectProfile> GetRedirectProfile(
      const device::v1::RedirectProfileRef& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::ListRedirectProfilesResponse> ListRedirectProfiles(
      const device::v1::ListRedirectProfilesRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::RedirectProfile> DeleteRedirectProfile(
      const device::v1::RedirectProfileRef& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::ListRevokedCertificatesResponse> ListRevokedCertificates(
      const device::v1::ListRevokedCertificatesRequest& request, const std::string& request_id) = 0;
  // Timeline events, at most 1,000 in one transaction; events with an
  // event_id are recorded once however often they are sent.
  virtual absl::StatusOr<device::v1::RecordEventsResponse> RecordEvents(
      const device::v1::RecordEventsRequest& request, const std::string& request_id) = 0;
  // The key a partner's bearer token belongs to; UNAUTHENTICATED when none.
  virtual absl::StatusOr<device::v1::ApiKey> AuthenticateApiKey(const std::string& secret,
                                                                const std::string& request_id) = 0;
  // MAC -> partner for the claimed ones.
  virtual absl::StatusOr<device::v1::GetOwnersResponse> GetOwners(
      const device::v1::GetOwnersRequest& request, const std::string& request_id) = 0;
  // WebhookService: partners' webhooks.
  virtual absl::StatusOr<device::v1::CreateWebhookResponse> CreateWebhook(
      const device::v1::CreateWebhookRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::ListWebhooksResponse> ListWebhooks(
      const device::v1::ListWebhooksRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::Webhook> DeleteWebhook(
      const device::v1::WebhookRef& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::ListWebhookDeliveriesResponse> ListWebhookDeliveries(
      const device::v1::ListWebhookDeliveriesRequest& request, const std::string& request_id) = 0;
  // Repeated: the event id records it once.
  virtual absl::StatusOr<device::v1::RecordEventResponse> RecordPartnerEvent(
      const device::v1::RecordPartnerEventRequest& request, const std::string& request_id) = 0;
  // Repeated: a line kept twice is a lesser harm than one lost (syslog itself is lossy).
  virtual absl::StatusOr<device::v1::RecordLogsResponse> RecordLogs(
      const device::v1::RecordLogsRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<device::v1::ListLogsResponse> ListLogs(
      const device::v1::ListLogsRequest& request, const std::string& request_id) = 0;
  // How far the partner's phones have come.
  virtual absl::StatusOr<device::v1::DeviceSummary> SummarizeDevices(
      const device::v1::SummarizeDevicesRequest& request, const std::string& request_id) = 0;
  // A console session for an API key (UNAUTHENTICATED for a bad key).
  virtual absl::StatusOr<device::v1::StartConsoleSessionResponse> StartConsoleSession(
      const device::v1::StartConsoleSessionRequest& request, const std::string& request_id) = 0;
  // The live session a secret belongs to, or UNAUTHENTICATED.
  virtual absl::StatusOr<device::v1::ConsoleSession> AuthenticateConsoleSession(
      const device::v1::ConsoleSessionSecret& request, const std::string& request_id) = 0;
  // Ends the session (nothing for an unknown one).
  virtual absl::StatusOr<device::v1::EndConsoleSessionResponse> EndConsoleSession(
      const device::v1::ConsoleSessionSecret& request, const std::string& request_id) = 0;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_DEVICE_ACTIVATION_H_
