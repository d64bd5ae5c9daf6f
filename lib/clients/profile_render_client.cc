#include "lib/clients/profile_render_client.h"

#include "lib/clients/channel.h"
#include "lib/clients/unary_call.h"

namespace onramp::clients {

ProfileRenderClient::ProfileRenderClient(const std::string& address, CallPolicy policy)
    : stub_(profile::v1::ProfileRenderService::NewStub(
          ServiceChannel(address))),
      backend_("profile-render", std::move(policy)) {}

absl::StatusOr<profile::v1::RenderResponse> ProfileRenderClient::Render(
    const profile::v1::RenderRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Render", Repeat::kSafe, *stub_, &profile::v1::ProfileRenderService::Stub::Render,
                   request, request_id);
}

absl::StatusOr<profile::v1::ReportResponse> ProfileRenderClient::Report(
    const profile::v1::ReportRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "Report", Repeat::kOnce, *stub_, &profile::v1::ProfileRenderService::Stub::Report,
                   request, request_id);
}

}  // namespace onramp::clients
