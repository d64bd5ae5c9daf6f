#ifndef ONRAMP_LIB_KIT_CLIENTS_PROFILE_RENDER_CLIENT_H_
#define ONRAMP_LIB_KIT_CLIENTS_PROFILE_RENDER_CLIENT_H_

// ProfileRender over gRPC, through a ServiceChannel (lib/kit/clients/channel.h) and a
// Backend (deadline, bounded in-flight calls, retries of what is safe to
// repeat).

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "lib/kit/clients/backend.h"
#include "lib/kit/clients/profile_render.h"
#include "onramp/profile/v1/profile.grpc.pb.h"

namespace onramp::clients {

class ProfileRenderClient final : public ProfileRender {
 public:
  ProfileRenderClient(const std::string& address, CallPolicy policy = {});

  absl::StatusOr<profile::v1::RenderResponse> Render(
      const profile::v1::RenderRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::ReportResponse> Report(
      const profile::v1::ReportRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::PreviewResponse> Preview(
      const profile::v1::PreviewRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::DiffResponse> Diff(
      const profile::v1::PreviewRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::Layer> PutLayer(
      const profile::v1::PutLayerRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::Layer> GetLayer(
      const profile::v1::LayerRef& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::ListLayersResponse> ListLayers(
      const profile::v1::ListLayersRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::DeleteLayerResponse> DeleteLayer(
      const profile::v1::DeleteLayerRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::HttpAuth> PutHttpAuth(
      const profile::v1::PutHttpAuthRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::DeleteHttpAuthResponse> DeleteHttpAuth(
      const profile::v1::DeleteHttpAuthRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::DeliveredKey> DeliverDeviceKey(
      const profile::v1::DeviceKeyRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::ForgetDeviceResponse> ForgetDevice(
      const profile::v1::DeviceKeyRequest& request, const std::string& request_id) override;

 private:
  std::unique_ptr<profile::v1::ProfileRenderService::Stub> stub_;
  Backend backend_;
  absl::StatusOr<profile::v1::DeviceKey> RotateDeviceKey(
      const profile::v1::DeviceKeyRequest& request, const std::string& request_id) override;
  absl::StatusOr<common::v1::DeviceActivity> GetDeviceActivity(
      const profile::v1::DeviceKeyRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::AssignSitesResponse> AssignSites(
      const profile::v1::AssignSitesRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::Layer> SetParameters(
      const profile::v1::SetParametersRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::GetParametersResponse> GetParameters(
      const profile::v1::GetParametersRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::ConfirmDeliveryResponse> ConfirmDelivery(
      const profile::v1::ConfirmDeliveryRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::ConfirmDeliveriesResponse> ConfirmDeliveries(
      const profile::v1::ConfirmDeliveriesRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::ListDeviceActivitiesResponse> ListDeviceActivities(
      const profile::v1::ListDeviceActivitiesRequest& request, const std::string& request_id) override;
  absl::StatusOr<profile::v1::ListSiteDevicesResponse> ListSiteDevices(
      const profile::v1::ListSiteDevicesRequest& request, const std::string& request_id) override;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_PROFILE_RENDER_CLIENT_H_
