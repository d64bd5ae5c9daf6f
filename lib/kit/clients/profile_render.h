#ifndef ONRAMP_LIB_KIT_CLIENTS_PROFILE_RENDER_H_
#define ONRAMP_LIB_KIT_CLIENTS_PROFILE_RENDER_H_

// The profile-render service as other services call it. One method per RPC;
// the implementation (ProfileRenderClient, over gRPC) decides which are
// retried, and tests hand callers a mock (testing/mock_clients.h).
// `request_id` (may be empty) joins a call to the request being served.

#include <string>

#include "absl/status/statusor.h"
#include "onramp/profile/v1/profile.pb.h"

namespace onramp::clients {

class ProfileRender {
 public:
  virtual ~ProfileRender() = default;

  virtual absl::StatusOr<profile::v1::RenderResponse> Render(
      const profile::v1::RenderRequest& request, const std::string& request_id) = 0;
  // A phone's Report_Rule upload. Not repeated: it would be kept twice.
  virtual absl::StatusOr<profile::v1::ReportResponse> Report(
      const profile::v1::ReportRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<profile::v1::PreviewResponse> Preview(
      const profile::v1::PreviewRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<profile::v1::DiffResponse> Diff(
      const profile::v1::PreviewRequest& request, const std::string& request_id) = 0;
  // Safe to repeat: if_version makes the write conditional.
  virtual absl::StatusOr<profile::v1::Layer> PutLayer(
      const profile::v1::PutLayerRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<profile::v1::Layer> GetLayer(
      const profile::v1::LayerRef& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<profile::v1::ListLayersResponse> ListLayers(
      const profile::v1::ListLayersRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<profile::v1::DeleteLayerResponse> DeleteLayer(
      const profile::v1::DeleteLayerRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<profile::v1::HttpAuth> PutHttpAuth(
      const profile::v1::PutHttpAuthRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<profile::v1::DeleteHttpAuthResponse> DeleteHttpAuth(
      const profile::v1::DeleteHttpAuthRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<profile::v1::DeliveredKey> DeliverDeviceKey(
      const profile::v1::DeviceKeyRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<profile::v1::ForgetDeviceResponse> ForgetDevice(
      const profile::v1::DeviceKeyRequest& request, const std::string& request_id) = 0;
  // Not repeated: each call makes a new key.
  virtual absl::StatusOr<profile::v1::DeviceKey> RotateDeviceKey(
      const profile::v1::DeviceKeyRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<common::v1::DeviceActivity> GetDeviceActivity(
      const profile::v1::DeviceKeyRequest& request, const std::string& request_id) = 0;
  // Repeated: an assignment sets a site, so doing it twice is doing it once.
  virtual absl::StatusOr<profile::v1::AssignSitesResponse> AssignSites(
      const profile::v1::AssignSitesRequest& request, const std::string& request_id) = 0;
  // Repeated: setting and removing by name twice is doing it once.
  virtual absl::StatusOr<profile::v1::Layer> SetParameters(
      const profile::v1::SetParametersRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<profile::v1::GetParametersResponse> GetParameters(
      const profile::v1::GetParametersRequest& request, const std::string& request_id) = 0;
  // Repeated: a delivery recorded twice is still the one profile the phone holds.
  virtual absl::StatusOr<profile::v1::ConfirmDeliveryResponse> ConfirmDelivery(
      const profile::v1::ConfirmDeliveryRequest& request, const std::string& request_id) = 0;
  // Repeated: a delivery recorded twice is still the one profile the phone holds.
  virtual absl::StatusOr<profile::v1::ConfirmDeliveriesResponse> ConfirmDeliveries(
      const profile::v1::ConfirmDeliveriesRequest& request, const std::string& request_id) = 0;
  // What each of a page of the partner's phones last did, and its site.
  virtual absl::StatusOr<profile::v1::ListDeviceActivitiesResponse> ListDeviceActivities(
      const profile::v1::ListDeviceActivitiesRequest& request, const std::string& request_id) = 0;
  // The partner's phones in one site, paged.
  virtual absl::StatusOr<profile::v1::ListSiteDevicesResponse> ListSiteDevices(
      const profile::v1::ListSiteDevicesRequest& request, const std::string& request_id) = 0;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_PROFILE_RENDER_H_
