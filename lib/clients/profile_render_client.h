#ifndef ONRAMP_LIB_CLIENTS_PROFILE_RENDER_CLIENT_H_
#define ONRAMP_LIB_CLIENTS_PROFILE_RENDER_CLIENT_H_

// The profile-render service as the gateway calls it.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/clients/backend.h"
#include "lib/clients/unary_call.h"
#include "onramp/profile/v1/profile.grpc.pb.h"

namespace onramp::clients {

class ProfileRenderClient {
 public:
  ProfileRenderClient(const std::string& address, CallPolicy policy = {});

  absl::StatusOr<profile::v1::RenderResponse> Render(const profile::v1::RenderRequest& request,
                                                     const std::string& request_id = "");

  // A phone's Report_Rule upload, kept by profile-render.
  absl::StatusOr<profile::v1::ReportResponse> Report(const profile::v1::ReportRequest& request,
                                                     const std::string& request_id = "");

  // Any unary method of the service through this client's backend (its
  // deadline, bound and retries), e.g. for the partner API.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(std::string_view method_name, Repeat repeat,
                                grpc::Status (profile::v1::ProfileRenderService::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                const Request& request, const std::string& request_id) {
    return UnaryCall(backend_, method_name, repeat, *stub_, method, request, request_id);
  }

 private:
  std::unique_ptr<profile::v1::ProfileRenderService::Stub> stub_;
  Backend backend_;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_CLIENTS_PROFILE_RENDER_CLIENT_H_
