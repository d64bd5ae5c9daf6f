#ifndef ONRAMP_LIB_KIT_CLIENTS_FIRMWARE_CATALOG_CLIENT_H_
#define ONRAMP_LIB_KIT_CLIENTS_FIRMWARE_CATALOG_CLIENT_H_

// FirmwareCatalog over gRPC, through a ServiceChannel (lib/kit/clients/channel.h) and a
// Backend (deadline, bounded in-flight calls, retries of what is safe to
// repeat).

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "lib/kit/clients/backend.h"
#include "lib/kit/clients/firmware_catalog.h"
#include "onramp/firmware/v1/firmware.grpc.pb.h"

namespace onramp::clients {

class FirmwareCatalogClient final : public FirmwareCatalog {
 public:
  // `download_deadline` bounds one whole ReadImage or RegisterImage stream.
  FirmwareCatalogClient(const std::string& address, CallPolicy policy = {},
                        absl::Duration download_deadline = absl::Minutes(30));

  absl::StatusOr<firmware::v1::Image> GetImage(const firmware::v1::GetImageRequest& request,
                                               const std::string& request_id) override;
  absl::StatusOr<firmware::v1::ListImagesResponse> ListImages(const firmware::v1::ListImagesRequest& request,
                                                              const std::string& request_id) override;
  absl::StatusOr<firmware::v1::PlanUpgradeResponse> PlanUpgrade(
      const firmware::v1::PlanUpgradeRequest& request, const std::string& request_id) override;
  absl::StatusOr<firmware::v1::Rollout> CreateRollout(const firmware::v1::CreateRolloutRequest& request,
                                                      const std::string& request_id) override;
  absl::StatusOr<firmware::v1::ListRolloutsResponse> ListRollouts(const firmware::v1::ListRolloutsRequest& request,
                                                                 const std::string& request_id) override;
  absl::StatusOr<firmware::v1::Rollout> GetRollout(const firmware::v1::RolloutRef& request,
                                                   const std::string& request_id) override;
  absl::StatusOr<firmware::v1::Rollout> PauseRollout(const firmware::v1::RolloutRef& request,
                                                     const std::string& request_id) override;
  absl::StatusOr<firmware::v1::Rollout> ResumeRollout(const firmware::v1::RolloutRef& request,
                                                      const std::string& request_id) override;
  absl::StatusOr<firmware::v1::Rollout> AbortRollout(const firmware::v1::RolloutRef& request,
                                                     const std::string& request_id) override;
  absl::StatusOr<firmware::v1::ReportUpgradeResponse> ReportUpgrade(
      const firmware::v1::ReportUpgradeRequest& request, const std::string& request_id) override;
  absl::StatusOr<std::unique_ptr<ImageReader>> ReadImage(const firmware::v1::ReadImageRequest& request,
                                                         const std::string& request_id) override;
  absl::StatusOr<std::unique_ptr<ImageWriter>> RegisterImage(const firmware::v1::ImageMetadata& metadata,
                                                             const std::string& request_id) override;

 private:
  std::unique_ptr<firmware::v1::FirmwareCatalogService::Stub> stub_;
  Backend backend_;
  absl::Duration download_deadline_;
  absl::StatusOr<firmware::v1::UpgradePlans> GetUpgradePlans(
      const firmware::v1::UpgradePlansRequest& request, const std::string& request_id) override;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_FIRMWARE_CATALOG_CLIENT_H_
