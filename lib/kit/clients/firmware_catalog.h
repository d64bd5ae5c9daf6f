#ifndef ONRAMP_LIB_KIT_CLIENTS_FIRMWARE_CATALOG_H_
#define ONRAMP_LIB_KIT_CLIENTS_FIRMWARE_CATALOG_H_

// The firmware-catalog service as other services call it. One method per RPC;
// the implementation (FirmwareCatalogClient, over gRPC) decides which are
// retried, and tests hand callers a mock (testing/mock_clients.h).
// `request_id` (may be empty) joins a call to the request being served.

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "onramp/firmware/v1/firmware.pb.h"

namespace onramp::clients {

// An image being read, piece by piece.
class ImageReader {
 public:
  virtual ~ImageReader() = default;
  // The next piece of the image, empty at its end, or the stream's error.
  virtual absl::StatusOr<std::string> Next() = 0;
};

// An image being uploaded, piece by piece.
class ImageWriter {
 public:
  virtual ~ImageWriter() = default;
  // False once the service has ended the upload (Finish then says why).
  virtual bool Write(std::string_view piece) = 0;
  // The registered image, or why the service refused it.
  virtual absl::StatusOr<firmware::v1::Image> Finish() = 0;
};

class FirmwareCatalog {
 public:
  virtual ~FirmwareCatalog() = default;

  virtual absl::StatusOr<firmware::v1::Image> GetImage(const firmware::v1::GetImageRequest& request,
                                                       const std::string& request_id) = 0;
  virtual absl::StatusOr<firmware::v1::ListImagesResponse> ListImages(
      const firmware::v1::ListImagesRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<firmware::v1::PlanUpgradeResponse> PlanUpgrade(
      const firmware::v1::PlanUpgradeRequest& request, const std::string& request_id) = 0;
  // Repeated only with an idempotency key (a retry then returns the first rollout).
  virtual absl::StatusOr<firmware::v1::Rollout> CreateRollout(
      const firmware::v1::CreateRolloutRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<firmware::v1::Rollout> GetRollout(const firmware::v1::RolloutRef& request,
                                                           const std::string& request_id) = 0;
  virtual absl::StatusOr<firmware::v1::ListRolloutsResponse> ListRollouts(
      const firmware::v1::ListRolloutsRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<firmware::v1::Rollout> PauseRollout(const firmware::v1::RolloutRef& request,
                                                             const std::string& request_id) = 0;
  virtual absl::StatusOr<firmware::v1::Rollout> ResumeRollout(const firmware::v1::RolloutRef& request,
                                                              const std::string& request_id) = 0;
  virtual absl::StatusOr<firmware::v1::Rollout> AbortRollout(const firmware::v1::RolloutRef& request,
                                                             const std::string& request_id) = 0;
  // Not repeated: a report counted twice would skew the rollout's failure rate.
  virtual absl::StatusOr<firmware::v1::ReportUpgradeResponse> ReportUpgrade(
      const firmware::v1::ReportUpgradeRequest& request, const std::string& request_id) = 0;
  // Bytes [offset, offset + length) of an image (length 0: to the end),
  // streamed.
  virtual absl::StatusOr<std::unique_ptr<ImageReader>> ReadImage(
      const firmware::v1::ReadImageRequest& request, const std::string& request_id) = 0;
  // Starts registering an image described by `metadata`; its bytes follow
  // through the writer.
  virtual absl::StatusOr<std::unique_ptr<ImageWriter>> RegisterImage(
      const firmware::v1::ImageMetadata& metadata, const std::string& request_id) = 0;
  virtual absl::StatusOr<firmware::v1::UpgradePlans> GetUpgradePlans(
      const firmware::v1::UpgradePlansRequest& request, const std::string& request_id) = 0;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_FIRMWARE_CATALOG_H_
