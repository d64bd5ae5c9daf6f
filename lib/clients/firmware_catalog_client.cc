#include "lib/clients/firmware_catalog_client.h"

#include "absl/time/clock.h"
#include "lib/clients/channel.h"
#include "lib/clients/unary_call.h"

namespace onramp::clients {

using Stub = firmware::v1::FirmwareCatalogService::Stub;

ImageReader::~ImageReader() {
  if (!done_) {
    // Abandoned part-way (the client went away): stop the server's sending.
    context_.TryCancel();
    reader_->Finish();
  }
  backend_.Leave();
}

absl::StatusOr<std::string> ImageReader::Next() {
  if (done_) return std::string();
  firmware::v1::ImageChunk chunk;
  if (reader_->Read(&chunk)) {
    if (!chunk.data().empty()) return std::move(*chunk.mutable_data());
    return Next();
  }
  done_ = true;
  absl::Status status = status::FromGrpcStatus(reader_->Finish());
  if (!status.ok()) return status;
  return std::string();
}

ImageWriter::~ImageWriter() {
  if (!finished_) {
    context_.TryCancel();
    writer_->Finish();
  }
  backend_.Leave();
}

bool ImageWriter::Write(std::string_view piece) {
  firmware::v1::ImageUpload upload;
  upload.set_chunk(std::string(piece));
  return writer_->Write(upload);
}

absl::StatusOr<firmware::v1::Image> ImageWriter::Finish() {
  finished_ = true;
  writer_->WritesDone();
  absl::Status status = status::FromGrpcStatus(writer_->Finish());
  backend_.Report("RegisterImage", status.code());
  if (!status.ok()) return status;
  return image_;
}

FirmwareCatalogClient::FirmwareCatalogClient(const std::string& address, CallPolicy policy,
                                             absl::Duration download_deadline)
    : stub_(firmware::v1::FirmwareCatalogService::NewStub(
          ServiceChannel(address))),
      backend_("firmware-catalog", std::move(policy)),
      download_deadline_(download_deadline) {}

absl::StatusOr<firmware::v1::Image> FirmwareCatalogClient::GetImage(const std::string& file_name,
                                                                    const std::string& request_id) {
  firmware::v1::GetImageRequest request;
  request.set_file_name(file_name);
  return UnaryCall(backend_, "GetImage", Repeat::kSafe, *stub_, &Stub::GetImage, request, request_id);
}

absl::StatusOr<std::unique_ptr<ImageReader>> FirmwareCatalogClient::ReadImage(
    const firmware::v1::ReadImageRequest& request, const std::string& request_id) {
  // The stream keeps its slot for as long as it is read; a failure to
  // start it counts as the call's outcome.
  if (absl::Status entered = backend_.EnterFor("ReadImage"); !entered.ok()) return entered;
  std::unique_ptr<ImageReader> reader(new ImageReader(backend_));
  reader->context_.set_deadline(absl::ToChronoTime(absl::Now() + download_deadline_));
  if (!request_id.empty()) reader->context_.AddMetadata(std::string(server::kRequestIdKey), request_id);
  reader->reader_ = stub_->ReadImage(&reader->context_, request);
  backend_.Report("ReadImage", absl::StatusCode::kOk);
  return reader;
}

absl::StatusOr<std::unique_ptr<ImageWriter>> FirmwareCatalogClient::RegisterImage(
    const firmware::v1::ImageMetadata& metadata, const std::string& request_id) {
  if (absl::Status entered = backend_.EnterFor("RegisterImage"); !entered.ok()) return entered;
  std::unique_ptr<ImageWriter> writer(new ImageWriter(backend_));
  writer->context_.set_deadline(absl::ToChronoTime(absl::Now() + download_deadline_));
  if (!request_id.empty()) writer->context_.AddMetadata(std::string(server::kRequestIdKey), request_id);
  writer->writer_ = stub_->RegisterImage(&writer->context_, &writer->image_);
  firmware::v1::ImageUpload first;
  *first.mutable_metadata() = metadata;
  writer->writer_->Write(first);  // a refusal shows at Finish
  return writer;
}

absl::StatusOr<firmware::v1::ReportUpgradeResponse> FirmwareCatalogClient::ReportUpgrade(
    const firmware::v1::ReportUpgradeRequest& request, const std::string& request_id) {
  // Not repeated: a report counted twice would skew the rollout's failure rate.
  return UnaryCall(backend_, "ReportUpgrade", Repeat::kOnce, *stub_, &Stub::ReportUpgrade, request, request_id);
}

}  // namespace onramp::clients
