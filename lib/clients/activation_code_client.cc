#include "lib/clients/activation_code_client.h"

#include "grpcpp/create_channel.h"
#include "lib/clients/unary_call.h"

namespace onramp::clients {

ActivationCodeClient::ActivationCodeClient(const std::string& address, absl::Duration deadline)
    : stub_(activation::v1::ActivationCodeService::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
      deadline_(deadline) {}

absl::StatusOr<activation::v1::RedeemCodeResponse> ActivationCodeClient::RedeemCode(
    const activation::v1::RedeemCodeRequest& request, const std::string& request_id) {
  return UnaryCall(*stub_, &activation::v1::ActivationCodeService::Stub::RedeemCode, request, deadline_,
                   request_id);
}

}  // namespace onramp::clients
