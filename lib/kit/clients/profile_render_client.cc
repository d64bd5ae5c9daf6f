#include "lib/kit/clients/profile_render_client.h"

#include "lib/kit/clients/channel.h"
#include "lib/kit/clients/unary_call.h"

namespace onramp::clients {

using Stub = profile::v1::ProfileRenderService::Stub;

ProfileRenderClient::ProfileRenderClient(const std::string& address, CallPolicy policy)
    : stub_(profile::v1::ProfileRenderService::NewStub(ServiceChannel(address))),
      backend_("profile-render", std::move(policy)) {}

absl::StatusOr<profile::v1::RenderResponse> ProfileRenderClient::Render(
    const profile::v1::RenderRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Render", Repeat::kSafe, *stub_, &Stub::Render, request, request_id);
}

absl::StatusOr<profile::v1::ReportResponse> ProfileRenderClient::Report(
    const profile::v1::ReportRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Report", Repeat::kOnce, *stub_, &Stub::Report, request, request_id);
}

absl::StatusOr<profile::v1::PreviewResponse> ProfileRenderClient::Preview(
    const profile::v1::PreviewRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Preview", Repeat::kSafe, *stub_, &Stub::Preview, request, request_id);
}

absl::StatusOr<profile::v1::DiffResponse> ProfileRenderClient::Diff(
    const profile::v1::PreviewRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Diff", Repeat::kSafe, *stub_, &Stub::Diff, request, request_id);
}

absl::StatusOr<profile::v1::Layer> ProfileRenderClient::PutLayer(const profile::v1::PutLayerRequest& request,
                                                                 const std::string& request_id) {
  return UnaryCall(backend_, "PutLayer", Repeat::kSafe, *stub_, &Stub::PutLayer, request, request_id);
}

absl::StatusOr<profile::v1::Layer> ProfileRenderClient::GetLayer(const profile::v1::LayerRef& request,
                                                                 const std::string& request_id) {
  return UnaryCall(backend_, "GetLayer", Repeat::kSafe, *stub_, &Stub::GetLayer, request, request_id);
}

absl::StatusOr<profile::v1::ListLayersResponse> ProfileRenderClient::ListLayers(
    const profile::v1::ListLayersRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListLayers", Repeat::kSafe, *stub_, &Stub::ListLayers, request, request_id);
}

absl::StatusOr<profile::v1::DeleteLayerResponse> ProfileRenderClient::DeleteLayer(
    const profile::v1::DeleteLayerRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "DeleteLayer", Repeat::kSafe, *stub_, &Stub::DeleteLayer, request, request_id);
}

absl::StatusOr<profile::v1::HttpAuth> ProfileRenderClient::PutHttpAuth(
    const profile::v1::PutHttpAuthRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "PutHttpAuth", Repeat::kSafe, *stub_, &Stub::PutHttpAuth, request, request_id);
}

absl::StatusOr<profile::v1::DeleteHttpAuthResponse> ProfileRenderClient::DeleteHttpAuth(
    const profile::v1::DeleteHttpAuthRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "DeleteHttpAuth", Repeat::kSafe, *stub_, &Stub::DeleteHttpAuth, request,
                   request_id);
}

absl::StatusOr<profile::v1::DeliveredKey> ProfileRenderClient::DeliverDeviceKey(
    const profile::v1::DeviceKeyRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "DeliverDeviceKey", Repeat::kSafe, *stub_, &Stub::DeliverDeviceKey, request,
                   request_id);
}

absl::StatusOr<profile::v1::ForgetDeviceResponse> ProfileRenderClient::ForgetDevice(
    const profile::v1::DeviceKeyRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ForgetDevice", Repeat::kSafe, *stub_, &Stub::ForgetDevice, request, request_id);
}

absl::StatusOr<profile::v1::DeviceKey> ProfileRenderClient::RotateDeviceKey(
    const profile::v1::DeviceKeyRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "RotateDeviceKey", Repeat::kOnce, *stub_, &Stub::RotateDeviceKey, request, request_id);
}

absl::StatusOr<common::v1::DeviceActivity> ProfileRenderClient::GetDeviceActivity(
    const profile::v1::DeviceKeyRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "GetDeviceActivity", Repeat::kSafe, *stub_, &Stub::GetDeviceActivity, request, request_id);
}

absl::StatusOr<profile::v1::AssignSitesResponse> ProfileRenderClient::AssignSites(
    const profile::v1::AssignSitesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "AssignSites", Repeat::kSafe, *stub_, &Stub::AssignSites, request, request_id);
}

absl::StatusOr<profile::v1::Layer> ProfileRenderClient::SetParameters(
    const profile::v1::SetParametersRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "SetParameters", Repeat::kSafe, *stub_, &Stub::SetParameters, request, request_id);
}

absl::StatusOr<profile::v1::GetParametersResponse> ProfileRenderClient::GetParameters(
    const profile::v1::GetParametersRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "GetParameters", Repeat::kSafe, *stub_, &Stub::GetParameters, request, request_id);
}

absl::StatusOr<profile::v1::ConfirmDeliveryResponse> ProfileRenderClient::ConfirmDelivery(
    const profile::v1::ConfirmDeliveryRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ConfirmDelivery", Repeat::kSafe, *stub_, &Stub::ConfirmDelivery, request, request_id);
}

absl::StatusOr<profile::v1::ConfirmDeliveriesResponse> ProfileRenderClient::ConfirmDeliveries(
    const profile::v1::ConfirmDeliveriesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ConfirmDeliveries", Repeat::kSafe, *stub_, &Stub::ConfirmDeliveries, request, request_id);
}

absl::StatusOr<profile::v1::ListDeviceActivitiesResponse> ProfileRenderClient::ListDeviceActivities(
    const profile::v1::ListDeviceActivitiesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListDeviceActivities", Repeat::kSafe, *stub_, &Stub::ListDeviceActivities, request,
                   request_id);
}

absl::StatusOr<profile::v1::ListSiteDevicesResponse> ProfileRenderClient::ListSiteDevices(
    const profile::v1::ListSiteDevicesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListSiteDevices", Repeat::kSafe, *stub_, &Stub::ListSiteDevices, request,
                   request_id);
}

}  // namespace onramp::clients
