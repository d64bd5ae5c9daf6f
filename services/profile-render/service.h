#ifndef ONRAMP_SERVICES_PROFILE_RENDER_SERVICE_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_SERVICE_H_

// The gRPC adapter of profile rendering: each RPC checks its request, asks
// the domain (renderer.h for resyncs, report.h for reports, device_keys.h
// for keys, parameter_diff.h for diffs) and the store, and answers.

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/kit/clients/device_activation.h"
#include "lib/kit/clients/firmware_catalog.h"
#include "lib/phone/profile_crypto/sealer.h"
#include "onramp/profile/v1/profile.grpc.pb.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/profile-render/delivery_recorder.h"
#include "services/profile-render/device_keys.h"
#include "services/profile-render/render_changes.h"
#include "services/profile-render/renderer.h"
#include "services/profile-render/report.h"
#include "services/profile-render/store.h"

namespace onramp::profile {

class ProfileRenderServiceImpl final : public v1::ProfileRenderService::Service {
 public:
  // `devices` (device-activation; may be null) says who owns a phone with
  // no device layer, and receives delivery and report events.
  ProfileRenderServiceImpl(ProfileStore& store, profile_crypto::Sealer key_sealer,
                           prometheus::Registry& registry, size_t cache_capacity = 100000,
                           absl::Duration generation_poll = absl::Milliseconds(250),
                           clients::DeviceActivation* devices = nullptr,
                           clients::FirmwareCatalog* firmware = nullptr, std::string tr069_credentials_secret = "");

  grpc::Status PutLayer(grpc::ServerContext*, const v1::PutLayerRequest*, v1::Layer*) override;
  grpc::Status GetLayer(grpc::ServerContext*, const v1::LayerRef*, v1::Layer*) override;
  grpc::Status SetParameters(grpc::ServerContext*, const v1::SetParametersRequest*, v1::Layer*) override;
  grpc::Status AssignSites(grpc::ServerContext*, const v1::AssignSitesRequest*, v1::AssignSitesResponse*) override;
  grpc::Status ListLayers(grpc::ServerContext*, const v1::ListLayersRequest*,
                          v1::ListLayersResponse*) override;
  grpc::Status DeleteLayer(grpc::ServerContext*, const v1::DeleteLayerRequest*,
                           v1::DeleteLayerResponse*) override;
  grpc::Status PutTemplate(grpc::ServerContext*, const v1::PutTemplateRequest*,
                           v1::Template*) override;
  grpc::Status RotateDeviceKey(grpc::ServerContext*, const v1::DeviceKeyRequest*,
                               v1::DeviceKey*) override;
  grpc::Status DeliverDeviceKey(grpc::ServerContext*, const v1::DeviceKeyRequest*, v1::DeliveredKey*) override;
  grpc::Status ForgetDevice(grpc::ServerContext*, const v1::DeviceKeyRequest*, v1::ForgetDeviceResponse*) override;
  grpc::Status PutHttpAuth(grpc::ServerContext*, const v1::PutHttpAuthRequest* request,
                           v1::HttpAuth* response) override;
  grpc::Status DeleteHttpAuth(grpc::ServerContext*, const v1::DeleteHttpAuthRequest* request,
                              v1::DeleteHttpAuthResponse* response) override;
  grpc::Status PutModelParameters(grpc::ServerContext*, const v1::ModelParameters*,
                                  v1::ModelParameters*) override;
  grpc::Status Render(grpc::ServerContext*, const v1::RenderRequest*, v1::RenderResponse*) override;
  grpc::Status WatchRenders(grpc::ServerContext*,
                            grpc::ServerReaderWriter<v1::RenderChange, v1::RenderChangeAck>* stream) override;
  grpc::Status ConfirmDeliveries(grpc::ServerContext*, const v1::ConfirmDeliveriesRequest*,
                                 v1::ConfirmDeliveriesResponse*) override;
  grpc::Status GetParameters(grpc::ServerContext*, const v1::GetParametersRequest*,
                             v1::GetParametersResponse*) override;
  grpc::Status ConfirmDelivery(grpc::ServerContext*, const v1::ConfirmDeliveryRequest*,
                               v1::ConfirmDeliveryResponse*) override;
  grpc::Status Preview(grpc::ServerContext*, const v1::PreviewRequest*, v1::PreviewResponse*) override;
  grpc::Status Diff(grpc::ServerContext*, const v1::PreviewRequest*, v1::DiffResponse*) override;
  grpc::Status Report(grpc::ServerContext*, const v1::ReportRequest*, v1::ReportResponse*) override;
  grpc::Status GetDeviceActivity(grpc::ServerContext*, const v1::DeviceKeyRequest* request,
                                 common::v1::DeviceActivity* response) override;
  grpc::Status ListDeviceActivities(grpc::ServerContext*, const v1::ListDeviceActivitiesRequest* request,
                                    v1::ListDeviceActivitiesResponse* response) override;
  grpc::Status ListSiteDevices(grpc::ServerContext*, const v1::ListSiteDevicesRequest* request,
                               v1::ListSiteDevicesResponse* response) override;

  // Waits until every delivery so far is written (for tests and shutdown).
  void FlushDeliveries() { recorder_.Flush(); }
  // Ends the gateways' WatchRenders streams (when the server drains).
  void EndWatches() { changes_.CutOffAll(); }

 private:
  absl::StatusOr<std::vector<LayerParameter>> Current(const v1::PreviewRequest& request, std::string* mac);
  // Which of `macs` `partner` has claimed: device-activation owns claims.
  absl::StatusOr<std::set<std::string>> OwnedBy(const std::string& partner, const std::vector<std::string>& macs,
                                                const std::string& request_id);
  // Records that the phone holds the profile of `etag`, as Render records
  // its own answers, if that is still its profile; whether it was.
  absl::StatusOr<bool> RecordIfCurrent(const Resync& resync, const std::string& etag);
  // A report's upgrade outcome, passed on to firmware-catalog, which owns
  // rollout accounting; false when the report states none (or there is
  // nobody to tell).
  absl::StatusOr<bool> ForwardUpgrade(const std::string& mac, const std::string& partner, const std::string& model,
                                      const std::optional<UpgradeOutcome>& outcome, bool authenticated,
                                      const std::string& request_id);
  void RecordReportEvent(const std::string& mac, size_t bytes, int parameters, bool authenticated,
                         const std::optional<UpgradeOutcome>& upgrade, const std::string& source,
                         const std::string& request_id);

  ProfileStore& store_;
  clients::DeviceActivation* devices_;
  clients::FirmwareCatalog* firmware_;
  DeviceKeys keys_;
  RenderChanges changes_;
  Renderer renderer_;
  DeliveryRecorder recorder_;
  prometheus::Family<prometheus::Counter>& renders_;
  prometheus::Counter& dropped_;
};

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_SERVICE_H_
