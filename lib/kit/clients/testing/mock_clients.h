#ifndef ONRAMP_LIB_KIT_CLIENTS_TESTING_MOCK_CLIENTS_H_
#define ONRAMP_LIB_KIT_CLIENTS_TESTING_MOCK_CLIENTS_H_

// gMock stand-ins for the fleet's services, for unit tests of what calls
// them (the gateway's routes, the services that call each other):
//
//   clients::MockDeviceActivation devices;
//   EXPECT_CALL(devices, Lookup).WillOnce(Return(absl::NotFoundError("no such phone")));

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "lib/kit/clients/activation_codes.h"
#include "lib/kit/clients/device_activation.h"
#include "lib/kit/clients/firmware_catalog.h"
#include "lib/kit/clients/profile_render.h"

namespace onramp::clients {

class MockActivationCodes : public ActivationCodes {
 public:
  MOCK_METHOD(absl::StatusOr<activation::v1::CreateCodesResponse>, CreateCodes,
              (const activation::v1::CreateCodesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<activation::v1::ListCodesResponse>, ListCodes,
              (const activation::v1::ListCodesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<activation::v1::ActivationCode>, GetCode,
              (const activation::v1::GetCodeRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<activation::v1::ActivationCode>, RevokeCode,
              (const activation::v1::RevokeCodeRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<activation::v1::RedeemCodeResponse>, RedeemCode,
              (const activation::v1::RedeemCodeRequest&, const std::string&), (override));
};

class MockDeviceActivation : public DeviceActivation {
 public:
  MOCK_METHOD(absl::StatusOr<device::v1::ClaimDevicesResponse>, ClaimDevices,
              (const device::v1::ClaimDevicesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::Device>, ReleaseDevice,
              (const device::v1::DeviceRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::Device>, GetDevice,
              (const device::v1::DeviceRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::Owner>, GetOwner, (const device::v1::OwnerRequest&, const std::string&),
              (override));
  MOCK_METHOD(absl::StatusOr<device::v1::ListDevicesResponse>, ListDevices,
              (const device::v1::ListDevicesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::Timeline>, GetTimeline,
              (const device::v1::DeviceRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::LookupResponse>, Lookup,
              (const device::v1::LookupRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::LookupResponse>, Admit,
              (const device::v1::AdmitRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::ResolveShortCodeResponse>, ResolveShortCode,
              (const device::v1::ResolveShortCodeRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::DeviceState>, ReportState,
              (const device::v1::ReportStateRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::RegisterResponse>, Register,
              (const device::v1::RegisterRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::RedirectProfile>, CreateRedirectProfile,
              (const device::v1::CreateRedirectProfileRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::RedirectProfile>, GetRedirectProfile,
              (const device::v1::RedirectProfileRef&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::ListRedirectProfilesResponse>, ListRedirectProfiles,
              (const device::v1::ListRedirectProfilesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::RedirectProfile>, DeleteRedirectProfile,
              (const device::v1::RedirectProfileRef&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::ListRevokedCertificatesResponse>, ListRevokedCertificates,
              (const device::v1::ListRevokedCertificatesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::RecordEventsResponse>, RecordEvents,
              (const device::v1::RecordEventsRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::ApiKey>, AuthenticateApiKey,
              (const std::string&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::GetOwnersResponse>, GetOwners,
              (const device::v1::GetOwnersRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::CreateWebhookResponse>, CreateWebhook,
              (const device::v1::CreateWebhookRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::ListWebhooksResponse>, ListWebhooks,
              (const device::v1::ListWebhooksRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::Webhook>, DeleteWebhook,
              (const device::v1::WebhookRef&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::ListWebhookDeliveriesResponse>, ListWebhookDeliveries,
              (const device::v1::ListWebhookDeliveriesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::RecordEventResponse>, RecordPartnerEvent,
              (const device::v1::RecordPartnerEventRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::RecordLogsResponse>, RecordLogs,
              (const device::v1::RecordLogsRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::ListLogsResponse>, ListLogs,
              (const device::v1::ListLogsRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::DeviceSummary>, SummarizeDevices,
              (const device::v1::SummarizeDevicesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::StartConsoleSessionResponse>, StartConsoleSession,
              (const device::v1::StartConsoleSessionRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::ConsoleSession>, AuthenticateConsoleSession,
              (const device::v1::ConsoleSessionSecret&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<device::v1::EndConsoleSessionResponse>, EndConsoleSession,
              (const device::v1::ConsoleSessionSecret&, const std::string&), (override));
};

class MockProfileRender : public ProfileRender {
 public:
  MOCK_METHOD(absl::StatusOr<profile::v1::RenderResponse>, Render,
              (const profile::v1::RenderRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::ReportResponse>, Report,
              (const profile::v1::ReportRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::PreviewResponse>, Preview,
              (const profile::v1::PreviewRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::DiffResponse>, Diff,
              (const profile::v1::PreviewRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::Layer>, PutLayer,
              (const profile::v1::PutLayerRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::Layer>, GetLayer,
              (const profile::v1::LayerRef&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::ListLayersResponse>, ListLayers,
              (const profile::v1::ListLayersRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::DeleteLayerResponse>, DeleteLayer,
              (const profile::v1::DeleteLayerRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::HttpAuth>, PutHttpAuth,
              (const profile::v1::PutHttpAuthRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::DeleteHttpAuthResponse>, DeleteHttpAuth,
              (const profile::v1::DeleteHttpAuthRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::DeliveredKey>, DeliverDeviceKey,
              (const profile::v1::DeviceKeyRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::ForgetDeviceResponse>, ForgetDevice,
              (const profile::v1::DeviceKeyRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::DeviceKey>, RotateDeviceKey,
              (const profile::v1::DeviceKeyRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<common::v1::DeviceActivity>, GetDeviceActivity,
              (const profile::v1::DeviceKeyRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::AssignSitesResponse>, AssignSites,
              (const profile::v1::AssignSitesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::Layer>, SetParameters,
              (const profile::v1::SetParametersRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::GetParametersResponse>, GetParameters,
              (const profile::v1::GetParametersRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::ConfirmDeliveryResponse>, ConfirmDelivery,
              (const profile::v1::ConfirmDeliveryRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::ConfirmDeliveriesResponse>, ConfirmDeliveries,
              (const profile::v1::ConfirmDeliveriesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::ListDeviceActivitiesResponse>, ListDeviceActivities,
              (const profile::v1::ListDeviceActivitiesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<profile::v1::ListSiteDevicesResponse>, ListSiteDevices,
              (const profile::v1::ListSiteDevicesRequest&, const std::string&), (override));
};

class MockFirmwareCatalog : public FirmwareCatalog {
 public:
  MOCK_METHOD(absl::StatusOr<firmware::v1::Image>, GetImage,
              (const firmware::v1::GetImageRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<firmware::v1::ListImagesResponse>, ListImages,
              (const firmware::v1::ListImagesRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<firmware::v1::PlanUpgradeResponse>, PlanUpgrade,
              (const firmware::v1::PlanUpgradeRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<firmware::v1::Rollout>, CreateRollout,
              (const firmware::v1::CreateRolloutRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<firmware::v1::Rollout>, GetRollout,
              (const firmware::v1::RolloutRef&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<firmware::v1::ListRolloutsResponse>, ListRollouts,
              (const firmware::v1::ListRolloutsRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<firmware::v1::Rollout>, PauseRollout,
              (const firmware::v1::RolloutRef&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<firmware::v1::Rollout>, ResumeRollout,
              (const firmware::v1::RolloutRef&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<firmware::v1::Rollout>, AbortRollout,
              (const firmware::v1::RolloutRef&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<firmware::v1::ReportUpgradeResponse>, ReportUpgrade,
              (const firmware::v1::ReportUpgradeRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<std::unique_ptr<ImageReader>>, ReadImage,
              (const firmware::v1::ReadImageRequest&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<std::unique_ptr<ImageWriter>>, RegisterImage,
              (const firmware::v1::ImageMetadata&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<firmware::v1::UpgradePlans>, GetUpgradePlans,
              (const firmware::v1::UpgradePlansRequest&, const std::string&), (override));
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_TESTING_MOCK_CLIENTS_H_
