#include "lib/kit/clients/firmware_catalog_client.h"

#include "absl/time/clock.h"
#include "lib/kit/clients/channel.h"
#include "lib/kit/clients/unary_call.h"
#include "lib/kit/server/request_id.h"
#include "lib/kit/status/grpc_status.h"

namespace onramp::clients {

using Stub = firmware::v1::FirmwareCatalogService::Stub;

namespace {

// An image stream holds at most this much in flight: four 64 KiB chunks
// ahead of a reader (a phone) that may be slow.
constexpr int kImageStreamWindowBytes = 256 * 1024;

// The ReadImage stream; it holds its backend slot until destroyed.
class GrpcImageReader final : public ImageReader {
 public:
  explicit GrpcImageReader(Backend& backend) : backend_(backend) {}
  ~GrpcImageReader() override {
    if (!done_) {
      // Abandoned part-way (the client went away): stop the server's sending.
      context_.TryCancel();
      reader_->Finish();
    }
    backend_.Leave();
  }

  absl::StatusOr<std::string> Next() override {
    if (done_) return std::string();
    firmware::v1::ImageChunk chunk;
    while (reader_->Read(&chunk)) {
      if (!chunk.data().empty()) return std::move(*chunk.mutable_data());
    }
    done_ = true;
    absl::Status status = status::FromGrpcStatus(reader_->Finish());
    if (!status.ok()) return status;
    return std::string();
  }

  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<firmware::v1::ImageChunk>> reader_;

 private:
  Backend& backend_;
  bool done_ = false;
};

// The RegisterImage stream; it holds its backend slot until destroyed.
class GrpcImageWriter final : public ImageWriter {
 public:
  explicit GrpcImageWriter(Backend& backend) : backend_(backend) {}
  ~GrpcImageWriter() override {
    if (!finished_) {
      context_.TryCancel();
      writer_->Finish();
    }
    backend_.Leave();
  }

  bool Write(std::string_view piece) override {
    firmware::v1::ImageUpload upload;
    upload.set_chunk(std::string(piece));
    return writer_->Write(upload);
  }

  absl::StatusOr<firmware::v1::Image> Finish() override {
    finished_ = true;
    writer_->WritesDone();
    absl::Status status = status::FromGrpcStatus(writer_->Finish());
    backend_.Report("RegisterImage", status.code());
    if (!status.ok()) return status;
    return image_;
  }

  grpc::ClientContext context_;
  firmware::v1::Image image_;
  std::unique_ptr<grpc::ClientWriter<firmware::v1::ImageUpload>> writer_;

 private:
  Backend& backend_;
  bool finished_ = false;
};

}  // namespace

FirmwareCatalogClient::FirmwareCatalogClient(const std::string& address, CallPolicy policy,
                                             absl::Duration download_deadline)
    : stub_(firmware::v1::FirmwareCatalogService::NewStub(ServiceChannel(address, kImageStreamWindowBytes))),
      backend_("firmware-catalog", std::move(policy)),
      download_deadline_(download_deadline) {}

absl::StatusOr<firmware::v1::Image> FirmwareCatalogClient::GetImage(
    const firmware::v1::GetImageRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "GetImage", Repeat::kSafe, *stub_, &Stub::GetImage, request, request_id);
}

absl::StatusOr<firmware::v1::ListImagesResponse> FirmwareCatalogClient::ListImages(
    const firmware::v1::ListImagesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListImages", Repeat::kSafe, *stub_, &Stub::ListImages, request, request_id);
}

absl::StatusOr<firmware::v1::PlanUpgradeResponse> FirmwareCatalogClient::PlanUpgrade(
    const firmware::v1::PlanUpgradeRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "PlanUpgrade", Repeat::kSafe, *stub_, &Stub::PlanUpgrade, request, request_id);
}

absl::StatusOr<firmware::v1::Rollout> FirmwareCatalogClient::CreateRollout(
    const firmware::v1::CreateRolloutRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "CreateRollout",
                   request.idempotency_key().empty() ? Repeat::kOnce : Repeat::kSafe, *stub_,
                   &Stub::CreateRollout, request, request_id);
}

absl::StatusOr<firmware::v1::Rollout> FirmwareCatalogClient::GetRollout(
    const firmware::v1::RolloutRef& request, const std::string& request_id) {
  return UnaryCall(backend_, "GetRollout", Repeat::kSafe, *stub_, &Stub::GetRollout, request, request_id);
}

absl::StatusOr<firmware::v1::ListRolloutsResponse> FirmwareCatalogClient::ListRollouts(
    const firmware::v1::ListRolloutsRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListRollouts", Repeat::kSafe, *stub_, &Stub::ListRollouts, request, request_id);
}

absl::StatusOr<firmware::v1::Rollout> FirmwareCatalogClient::PauseRollout(
    const firmware::v1::RolloutRef& request, const std::string& request_id) {
  return UnaryCall(backend_, "PauseRollout", Repeat::kSafe, *stub_, &Stub::PauseRollout, request, request_id);
}

absl::StatusOr<firmware::v1::Rollout> FirmwareCatalogClient::ResumeRollout(
    const firmware::v1::RolloutRef& request, const std::string& request_id) {
  return UnaryCall(backend_, "ResumeRollout", Repeat::kSafe, *stub_, &Stub::ResumeRollout, request,
                   request_id);
}

absl::StatusOr<firmware::v1::Rollout> FirmwareCatalogClient::AbortRollout(
    const firmware::v1::RolloutRef& request, const std::string& request_id) {
  return UnaryCall(backend_, "AbortRollout", Repeat::kSafe, *stub_, &Stub::AbortRollout, request, request_id);
}

absl::StatusOr<firmware::v1::ReportUpgradeResponse> FirmwareCatalogClient::ReportUpgrade(
    const firmware::v1::ReportUpgradeRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ReportUpgrade", Repeat::kOnce, *stub_, &Stub::ReportUpgrade, request,
                   request_id);
}

absl::StatusOr<std::unique_ptr<ImageReader>> FirmwareCatalogClient::ReadImage(
    const firmware::v1::ReadImageRequest& request, const std::string& request_id) {
  // The stream keeps its slot for as long as it is read; a failure to
  // start it counts as the call's outcome.
  if (absl::Status entered = backend_.EnterFor("ReadImage"); !entered.ok()) return entered;
  auto reader = std::make_unique<GrpcImageReader>(backend_);
  reader->context_.set_deadline(absl::ToChronoTime(absl::Now() + download_deadline_));
  if (!request_id.empty()) reader->context_.AddMetadata(std::string(server::kRequestIdKey), request_id);
  reader->reader_ = stub_->ReadImage(&reader->context_, request);
  backend_.Report("ReadImage", absl::StatusCode::kOk);
  return reader;
}

absl::StatusOr<std::unique_ptr<ImageWriter>> FirmwareCatalogClient::RegisterImage(
    const firmware::v1::ImageMetadata& metadata, const std::string& request_id) {
  if (absl::Status entered = backend_.EnterFor("RegisterImage"); !entered.ok()) return entered;
  auto writer = std::make_unique<GrpcImageWriter>(backend_);
  writer->context_.set_deadline(absl::ToChronoTime(absl::Now() + download_deadline_));
  if (!request_id.empty()) writer->context_.AddMetadata(std::string(server::kRequestIdKey), request_id);
  writer->writer_ = stub_->RegisterImage(&writer->context_, &writer->image_);
  firmware::v1::ImageUpload first;
  *first.mutable_metadata() = metadata;
  writer->writer_->Write(first);  // a refusal shows at Finish
  return writer;
}

absl::StatusOr<firmware::v1::UpgradePlans> FirmwareCatalogClient::GetUpgradePlans(
    const firmware::v1::UpgradePlansRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "GetUpgradePlans", Repeat::kSafe, *stub_, &Stub::GetUpgradePlans, request, request_id);
}

}  // namespace onramp::clients
