#include "lib/clients/profile_render_client.h"

#include "grpcpp/create_channel.h"
#include "lib/clients/unary_call.h"

namespace onramp::clients {

ProfileRenderClient::ProfileRenderClient(const std::string& address, absl::Duration deadline)
    : stub_(profile::v1::ProfileRenderService::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
      deadline_(deadline) {}

absl::StatusOr<profile::v1::RenderResponse> ProfileRenderClient::Render(
    const profile::v1::RenderRequest& request, const std::string& request_id) {
  return UnaryCall(*stub_, &profile::v1::ProfileRenderService::Stub::Render, request, deadline_, request_id);
}

absl::StatusOr<profile::v1::ReportResponse> ProfileRenderClient::Report(
    const profile::v1::ReportRequest& request, const std::string& request_id) {
  return UnaryCall(*stub_, &profile::v1::ProfileRenderService::Stub::Report, request, deadline_, request_id);
}

}  // namespace onramp::clients
