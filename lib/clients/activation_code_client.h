#ifndef ONRAMP_LIB_CLIENTS_ACTIVATION_CODE_CLIENT_H_
#define ONRAMP_LIB_CLIENTS_ACTIVATION_CODE_CLIENT_H_

// The activation-code service as the gateway calls it.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/clients/backend.h"
#include "lib/clients/unary_call.h"
#include "onramp/activation/v1/activation.grpc.pb.h"

namespace onramp::clients {

class ActivationCodeClient {
 public:
  // Over a ServiceChannel (lib/clients/channel.h).
  ActivationCodeClient(const std::string& address, CallPolicy policy = {});

  // A phone redeems a 16-digit code; `request_id` (may be empty) joins the
  // call to the request being served.
  absl::StatusOr<activation::v1::RedeemCodeResponse> RedeemCode(
      const activation::v1::RedeemCodeRequest& request, const std::string& request_id = "");

  // Any unary method of the service through this client's backend (its
  // deadline, bound and retries), e.g. for the partner API.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(std::string_view method_name, Repeat repeat,
                                grpc::Status (activation::v1::ActivationCodeService::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                const Request& request, const std::string& request_id) {
    return UnaryCall(backend_, method_name, repeat, *stub_, method, request, request_id);
  }

 private:
  std::unique_ptr<activation::v1::ActivationCodeService::Stub> stub_;
  Backend backend_;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_CLIENTS_ACTIVATION_CODE_CLIENT_H_
