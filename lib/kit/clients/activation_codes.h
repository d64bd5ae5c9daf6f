#ifndef ONRAMP_LIB_KIT_CLIENTS_ACTIVATION_CODES_H_
#define ONRAMP_LIB_KIT_CLIENTS_ACTIVATION_CODES_H_

// The activation-code service as other services call it. One method per RPC;
// the implementation (ActivationCodeClient, over gRPC) decides which are
// retried, and tests hand callers a mock (testing/mock_clients.h).
// `request_id` (may be empty) joins a call to the request being served.

#include <string>

#include "absl/status/statusor.h"
#include "onramp/activation/v1/activation.pb.h"

namespace onramp::clients {

class ActivationCodes {
 public:
  virtual ~ActivationCodes() = default;

  // A batch of codes; repeated only with an idempotency key.
  virtual absl::StatusOr<activation::v1::CreateCodesResponse> CreateCodes(
      const activation::v1::CreateCodesRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<activation::v1::ListCodesResponse> ListCodes(
      const activation::v1::ListCodesRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<activation::v1::ActivationCode> GetCode(
      const activation::v1::GetCodeRequest& request, const std::string& request_id) = 0;
  virtual absl::StatusOr<activation::v1::ActivationCode> RevokeCode(
      const activation::v1::RevokeCodeRequest& request, const std::string& request_id) = 0;
  // A phone redeems a 16-digit code. Not repeated: a second try spends the
  // phone's rate-limit budget (the service replays for the same MAC anyway).
  virtual absl::StatusOr<activation::v1::RedeemCodeResponse> RedeemCode(
      const activation::v1::RedeemCodeRequest& request, const std::string& request_id) = 0;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_ACTIVATION_CODES_H_
