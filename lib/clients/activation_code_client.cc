#include "lib/clients/activation_code_client.h"

#include "lib/clients/channel.h"
#include "lib/clients/unary_call.h"

namespace onramp::clients {

ActivationCodeClient::ActivationCodeClient(const std::string& address, CallPolicy policy)
    : stub_(activation::v1::ActivationCodeService::NewStub(
          ServiceChannel(address))),
      backend_("activation-code", std::move(policy)) {}

absl::StatusOr<activation::v1::RedeemCodeResponse> ActivationCodeClient::RedeemCode(
    const activation::v1::RedeemCodeRequest& request, const std::string& request_id) {
  // Not repeated: a redemption that landed but whose answer was lost would
  // make the phone's retry "already used".
  return UnaryCall(backend_, "RedeemCode", Repeat::kOnce, *stub_,
                   &activation::v1::ActivationCodeService::Stub::RedeemCode, request, request_id);
}

}  // namespace onramp::clients
