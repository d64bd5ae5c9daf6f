#include "lib/clients/profile_render_client.h"

#include "grpcpp/create_channel.h"
#include "lib/server/request_id.h"
#include "lib/status/grpc_status.h"

namespace onramp::clients {

ProfileRenderClient::ProfileRenderClient(const std::string& address, absl::Duration deadline)
    : stub_(profile::v1::ProfileRenderService::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
      deadline_(deadline) {}

absl::StatusOr<profile::v1::RenderResponse> ProfileRenderClient::Render(
    const profile::v1::RenderRequest& request, const std::string& request_id) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  if (!request_id.empty()) context.AddMetadata(std::string(server::kRequestIdKey), request_id);
  profile::v1::RenderResponse response;
  absl::Status status = status::FromGrpcStatus(stub_->Render(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

}  // namespace onramp::clients
