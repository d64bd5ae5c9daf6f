#include "lib/kit/clients/activation_code_client.h"

#include "lib/kit/clients/channel.h"
#include "lib/kit/clients/unary_call.h"

namespace onramp::clients {

using Stub = activation::v1::ActivationCodeService::Stub;

ActivationCodeClient::ActivationCodeClient(const std::string& address, CallPolicy policy)
    : stub_(activation::v1::ActivationCodeService::NewStub(ServiceChannel(address))),
      backend_("activation-code", std::move(policy)) {}

absl::StatusOr<activation::v1::CreateCodesResponse> ActivationCodeClient::CreateCodes(
    const activation::v1::CreateCodesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "CreateCodes", request.idempotency_key().empty() ? Repeat::kOnce : Repeat::kSafe,
                   *stub_, &Stub::CreateCodes, request, request_id);
}

absl::StatusOr<activation::v1::ListCodesResponse> ActivationCodeClient::ListCodes(
    const activation::v1::ListCodesRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "ListCodes", Repeat::kSafe, *stub_, &Stub::ListCodes, request, request_id);
}

absl::StatusOr<activation::v1::ActivationCode> ActivationCodeClient::GetCode(
    const activation::v1::GetCodeRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "GetCode", Repeat::kSafe, *stub_, &Stub::GetCode, request, request_id);
}

absl::StatusOr<activation::v1::ActivationCode> ActivationCodeClient::RevokeCode(
    const activation::v1::RevokeCodeRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "RevokeCode", Repeat::kSafe, *stub_, &Stub::RevokeCode, request, request_id);
}

absl::StatusOr<activation::v1::RedeemCodeResponse> ActivationCodeClient::RedeemCode(
    const activation::v1::RedeemCodeRequest& request, const std::string& request_id) {
  return UnaryCall(backend_, "RedeemCode", Repeat::kOnce, *stub_, &Stub::RedeemCode, request, request_id);
}

}  // namespace onramp::clients
