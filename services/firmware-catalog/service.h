#ifndef ONRAMP_SERVICES_FIRMWARE_CATALOG_SERVICE_H_
#define ONRAMP_SERVICES_FIRMWARE_CATALOG_SERVICE_H_

// The gRPC adapter of the firmware catalog.

#include <functional>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "lib/kit/cache/lru_cache.h"
#include "onramp/firmware/v1/firmware.grpc.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "services/firmware-catalog/store.h"

namespace onramp::firmware {

struct ServiceOptions {
  // Content-addressed image bytes: <image_dir>/<sha256>.
  std::string image_dir;
  // Prefix of Upgrade_Rule URLs: <download_base_url><file name>.
  std::string download_base_url = "https://firmware.example.com/firmware/";
  int64_t max_image_bytes = int64_t{1} << 30;
  // Rollout soak times are judged against this clock (tests inject one).
  std::function<absl::Time()> now = [] { return absl::Now(); };
  // How long a replica plans from what it read of a partner's model (its
  // own writes drop it at once; other replicas' show within this).
  absl::Duration plan_cache_ttl = absl::Seconds(1);
};

class FirmwareCatalogServiceImpl final : public v1::FirmwareCatalogService::Service {
 public:
  FirmwareCatalogServiceImpl(CatalogStore& store, ServiceOptions options, prometheus::Registry& registry);

  grpc::Status RegisterImage(grpc::ServerContext*, grpc::ServerReader<v1::ImageUpload>*,
                             v1::Image*) override;
  grpc::Status GetImage(grpc::ServerContext*, const v1::GetImageRequest* request, v1::Image* response) override;
  grpc::Status ListImages(grpc::ServerContext*, const v1::ListImagesRequest*,
                          v1::ListImagesResponse*) override;
  grpc::Status ReadImage(grpc::ServerContext*, const v1::ReadImageRequest*,
                         grpc::ServerWriter<v1::ImageChunk>*) override;
  grpc::Status SetUpgradeEdge(grpc::ServerContext*, const v1::UpgradeEdge*, v1::UpgradeEdge*) override;
  grpc::Status SetTarget(grpc::ServerContext*, const v1::Target*, v1::Target*) override;
  grpc::Status PlanUpgrade(grpc::ServerContext*, const v1::PlanUpgradeRequest*,
                           v1::PlanUpgradeResponse*) override;
  grpc::Status GetUpgradePlans(grpc::ServerContext*, const v1::UpgradePlansRequest*, v1::UpgradePlans*) override;
  grpc::Status CreateRollout(grpc::ServerContext*, const v1::CreateRolloutRequest*, v1::Rollout*) override;
  grpc::Status PauseRollout(grpc::ServerContext*, const v1::RolloutRef*, v1::Rollout*) override;
  grpc::Status ResumeRollout(grpc::ServerContext*, const v1::RolloutRef*, v1::Rollout*) override;
  grpc::Status AbortRollout(grpc::ServerContext*, const v1::RolloutRef*, v1::Rollout*) override;
  grpc::Status GetRollout(grpc::ServerContext*, const v1::RolloutRef*, v1::Rollout*) override;
  grpc::Status ListRollouts(grpc::ServerContext*, const v1::ListRolloutsRequest*,
                            v1::ListRolloutsResponse*) override;
  grpc::Status ReportUpgrade(grpc::ServerContext*, const v1::ReportUpgradeRequest*,
                             v1::ReportUpgradeResponse*) override;

 private:
  grpc::Status Command(const v1::RolloutRef* request, CatalogStore::Command command,
                       v1::Rollout* response);
  struct CachedPlanInputs {
    CatalogStore::PlanInputs inputs;
    absl::Time read;
  };
  absl::StatusOr<std::shared_ptr<const CachedPlanInputs>> PlanInputsFor(const std::string& partner,
                                                                        const std::string& model);
  void ForgetPlanInputs(const std::string& partner, const std::string& model);

  CatalogStore& store_;
  const ServiceOptions options_;
  // By partner and model: a storm of resyncs reads PostgreSQL once per
  // model per plan_cache_ttl.
  cache::LruCache<CachedPlanInputs> plan_inputs_{10000};
  // Upgrades phones reported, by outcome: a rollout's progress on a
  // dashboard.
  prometheus::Family<prometheus::Counter>& upgrades_;
};

}  // namespace onramp::firmware

#endif  // ONRAMP_SERVICES_FIRMWARE_CATALOG_SERVICE_H_
