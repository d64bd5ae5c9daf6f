#ifndef ONRAMP_SERVICES_PROFILE_RENDER_SERVICE_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_SERVICE_H_

// The gRPC adapter of profile rendering, with the render cache and the
// batched delivery recorder that keep the resync path off the database.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "absl/time/time.h"
#include "lib/cache/lru_cache.h"
#include "lib/clients/device_activation.h"
#include "lib/clients/firmware_catalog.h"
#include "lib/profile_crypto/sealer.h"
#include "onramp/profile/v1/profile.grpc.pb.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/profile-render/render.h"
#include "services/profile-render/store.h"

namespace onramp::profile {

// Renders by (generation, phone identity, delivery options); a write to any
// layer or template bumps the generation, so stale entries are never hit
// and age out of the LRU.
using RenderCache = cache::LruCache<Rendered>;

// Delivery records written in batches from a thread of their own, so a
// resync never waits on the database for its bookkeeping. With a timeline
// (device-activation), a phone's first delivery and every delivery of a new
// ETag also become timeline events; unchanged resyncs do not. Both are
// delivered at least once: what the database or device-activation did not
// take is sent again at the next flush (events carry an id, so
// device-activation records each once), up to kMaxKept of each through an
// outage; the oldest go beyond that, logged as errors.
class DeliveryRecorder {
 public:
  static constexpr size_t kMaxKept = 100000;

  DeliveryRecorder(ProfileStore& store, clients::DeviceActivation* timeline);
  ~DeliveryRecorder();  // flushes what is queued
  void Record(ProfileStore::DeliveryRow row);
  // Writes what is queued and sends what is unsent; one at a time.
  void Flush();

 private:
  void Run();
  template <typename Item>
  static void KeepAtMost(std::deque<Item>& items, const char* what);

  ProfileStore& store_;
  clients::DeviceActivation* timeline_;
  const std::string event_id_prefix_;  // random per process: ids unique across replicas
  std::mutex flush_mutex_;             // guards what follows, up to mutex_
  std::unordered_map<std::string, std::string> last_etag_;
  std::deque<ProfileStore::DeliveryRow> unwritten_;
  std::deque<device::v1::RecordEventRequest> unsent_;
  int64_t events_made_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<ProfileStore::DeliveryRow> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// The layer generation as this replica knows it: refreshed after its own
// writes at once and from PostgreSQL every `poll` (other replicas' writes),
// so a cached render needs no database round trip.
class GenerationWatcher {
 public:
  GenerationWatcher(ProfileStore& store, absl::Duration poll);
  ~GenerationWatcher();
  int64_t current() const { return generation_.load(); }
  void Refresh();

 private:
  ProfileStore& store_;
  std::atomic<int64_t> generation_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

class ProfileRenderServiceImpl final : public v1::ProfileRenderService::Service {
 public:
  // `timeline` (may be null) receives delivery and report events.
  ProfileRenderServiceImpl(ProfileStore& store, profile_crypto::Sealer key_sealer,
                           prometheus::Registry& registry, size_t cache_capacity = 100000,
                           absl::Duration generation_poll = absl::Milliseconds(250),
                           clients::DeviceActivation* timeline = nullptr,
                           clients::FirmwareCatalog* firmware = nullptr);

  grpc::Status PutLayer(grpc::ServerContext*, const v1::PutLayerRequest*, v1::Layer*) override;
  grpc::Status GetLayer(grpc::ServerContext*, const v1::LayerRef*, v1::Layer*) override;
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
  grpc::Status Preview(grpc::ServerContext*, const v1::PreviewRequest*, v1::PreviewResponse*) override;
  grpc::Status Diff(grpc::ServerContext*, const v1::PreviewRequest*, v1::DiffResponse*) override;
  grpc::Status Report(grpc::ServerContext*, const v1::ReportRequest*, v1::ReportResponse*) override;

  // Waits until every delivery so far is written (for tests and shutdown).
  void FlushDeliveries() { recorder_.Flush(); }

 private:
  absl::StatusOr<profile_crypto::DeviceKey> Unseal(const SealedKey& key);
  absl::StatusOr<SealedKey> NewKey(const std::string& mac, bool only_if_none);
  absl::StatusOr<std::vector<LayerParameter>> Current(const v1::PreviewRequest& request,
                                                      std::string* mac);
  // The phone's partner and site, from memory while the generation holds.
  absl::StatusOr<DeviceContext> Device(const std::string& mac);
  // After a write here: every cached render and device is now stale.
  void Written() { generation_.Refresh(); }
  // After a write whose effect a caller must see on every replica at once
  // (a partner's HTTP authentication): returns once every replica has
  // polled the new generation.
  void WrittenEverywhere();
  // An upgrade outcome in the phone's report, passed on to
  // firmware-catalog, which owns rollout accounting; false when the report
  // holds none (or nobody to tell).
  absl::StatusOr<bool> ForwardUpgrade(const std::string& mac, const std::string& partner, const std::string& model,
                      const std::map<std::string, std::string>& values, bool authenticated,
                      const std::string& request_id);

  ProfileStore& store_;
  const profile_crypto::Sealer key_sealer_;
  // The next Upgrade_Rule of the phone's plan, or "" (none, or no plan to
  // be had: the profile goes out without one).
  std::string NextUpgradeRule(const std::string& mac, const v1::RenderRequest& request, const DeviceContext& device,
                              const std::string& request_id);

  clients::DeviceActivation* timeline_;
  clients::FirmwareCatalog* firmware_;
  RenderCache cache_;
  DeliveryRecorder recorder_;
  const absl::Duration generation_poll_;
  GenerationWatcher generation_;
  struct CachedDevice {
    DeviceContext context;
    absl::Time read;
  };
  std::mutex devices_mutex_;
  std::unordered_map<std::string, CachedDevice> devices_;
  prometheus::Family<prometheus::Counter>& renders_;
  prometheus::Counter& dropped_;
};

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_SERVICE_H_
