#include "lib/clients/device_activation_client.h"

#include "grpcpp/create_channel.h"
#include "lib/server/request_id.h"
#include "lib/status/grpc_status.h"

namespace onramp::clients {

DeviceActivationClient::DeviceActivationClient(const std::string& address, absl::Duration deadline)
    : stub_(device::v1::DeviceActivationService::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
      deadline_(deadline) {}

absl::Status DeviceActivationClient::RecordEvent(const std::string& mac, const std::string& kind,
                                                 const std::string& detail,
                                                 const std::string& source,
                                                 const grpc::ServerContextBase* caller) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  if (caller != nullptr) server::PropagateRequestId(*caller, &context);
  device::v1::RecordEventRequest request;
  request.mutable_mac()->set_value(mac);
  request.set_kind(kind);
  request.set_detail(detail);
  request.set_source(source);
  device::v1::RecordEventResponse response;
  return status::FromGrpcStatus(stub_->RecordEvent(&context, request, &response));
}

}  // namespace onramp::clients
