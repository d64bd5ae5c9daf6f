#ifndef ONRAMP_LIB_CLIENTS_FIRMWARE_CATALOG_CLIENT_H_
#define ONRAMP_LIB_CLIENTS_FIRMWARE_CATALOG_CLIENT_H_

// The firmware-catalog service as the gateway calls it: image metadata and
// bytes for downloads, and phones' upgrade outcomes.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/sync_stream.h"
#include "lib/clients/backend.h"
#include "lib/clients/unary_call.h"
#include "onramp/firmware/v1/firmware.grpc.pb.h"

namespace onramp::clients {

// A ReadImage stream being read. Holds one of the backend's call slots
// until destroyed.
class ImageReader {
 public:
  ~ImageReader();

  // The next piece of the image, empty at its end, or the stream's error.
  absl::StatusOr<std::string> Next();

 private:
  friend class FirmwareCatalogClient;
  explicit ImageReader(Backend& backend) : backend_(backend) {}

  Backend& backend_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<firmware::v1::ImageChunk>> reader_;
  bool done_ = false;
};

// A RegisterImage upload in progress: the metadata went first, then each
// Write sends a piece of the image. Holds one of the backend's call slots
// until destroyed.
class ImageWriter {
 public:
  ~ImageWriter();

  // False once the service has ended the upload (Finish then says why).
  bool Write(std::string_view piece);
  // The registered image, or why the service refused it.
  absl::StatusOr<firmware::v1::Image> Finish();

 private:
  friend class FirmwareCatalogClient;
  explicit ImageWriter(Backend& backend) : backend_(backend) {}

  Backend& backend_;
  grpc::ClientContext context_;
  firmware::v1::Image image_;
  std::unique_ptr<grpc::ClientWriter<firmware::v1::ImageUpload>> writer_;
  bool finished_ = false;
};

class FirmwareCatalogClient {
 public:
  // `download_deadline` bounds one whole ReadImage or RegisterImage stream.
  FirmwareCatalogClient(const std::string& address, CallPolicy policy = {},
                        absl::Duration download_deadline = absl::Minutes(30));

  absl::StatusOr<firmware::v1::Image> GetImage(const std::string& file_name, const std::string& request_id = "");

  // Bytes [offset, offset + length) of an image (length 0: to the end).
  absl::StatusOr<std::unique_ptr<ImageReader>> ReadImage(const firmware::v1::ReadImageRequest& request,
                                                         const std::string& request_id = "");

  // Starts registering an image described by `metadata`; its bytes follow
  // through the writer. Bounded by the download deadline.
  absl::StatusOr<std::unique_ptr<ImageWriter>> RegisterImage(const firmware::v1::ImageMetadata& metadata,
                                                             const std::string& request_id = "");

  absl::StatusOr<firmware::v1::ReportUpgradeResponse> ReportUpgrade(
      const firmware::v1::ReportUpgradeRequest& request, const std::string& request_id = "");

  // Any unary method of the service through this client's backend (its
  // deadline, bound and retries), e.g. for the partner API.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(std::string_view method_name, Repeat repeat,
                                grpc::Status (firmware::v1::FirmwareCatalogService::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                const Request& request, const std::string& request_id) {
    return UnaryCall(backend_, method_name, repeat, *stub_, method, request, request_id);
  }

 private:
  std::unique_ptr<firmware::v1::FirmwareCatalogService::Stub> stub_;
  Backend backend_;
  absl::Duration download_deadline_;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_CLIENTS_FIRMWARE_CATALOG_CLIENT_H_
