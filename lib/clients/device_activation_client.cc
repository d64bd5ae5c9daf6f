#include "lib/clients/device_activation_client.h"

#include "grpcpp/create_channel.h"
#include "lib/server/request_id.h"
#include "lib/status/grpc_status.h"

namespace onramp::clients {

DeviceActivationClient::DeviceActivationClient(const std::string& address, absl::Duration deadline)
    : stub_(device::v1::DeviceActivationService::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
      deadline_(deadline) {}

namespace {

void Prepare(grpc::ClientContext* context, absl::Duration deadline, const std::string& request_id) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (!request_id.empty()) context->AddMetadata(std::string(server::kRequestIdKey), request_id);
}

}  // namespace

absl::StatusOr<device::v1::LookupResponse> DeviceActivationClient::Lookup(
    const device::v1::LookupRequest& request, const std::string& request_id) {
  grpc::ClientContext context;
  Prepare(&context, deadline_, request_id);
  device::v1::LookupResponse response;
  absl::Status status = status::FromGrpcStatus(stub_->Lookup(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::Status DeviceActivationClient::RecordEvent(const std::string& mac, const std::string& kind,
                                                 const std::string& detail,
                                                 const std::string& source,
                                                 const std::string& request_id) {
  grpc::ClientContext context;
  Prepare(&context, deadline_, request_id);
  device::v1::RecordEventRequest request;
  request.mutable_mac()->set_value(mac);
  request.set_kind(kind);
  request.set_detail(detail);
  request.set_source(source);
  device::v1::RecordEventResponse response;
  return status::FromGrpcStatus(stub_->RecordEvent(&context, request, &response));
}

}  // namespace onramp::clients
