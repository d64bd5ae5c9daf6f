#ifndef ONRAMP_LIB_KIT_CLIENTS_ACTIVATION_CODE_CLIENT_H_
#define ONRAMP_LIB_KIT_CLIENTS_ACTIVATION_CODE_CLIENT_H_

// ActivationCodes over gRPC, through a ServiceChannel (lib/kit/clients/channel.h) and a
// Backend (deadline, bounded in-flight calls, retries of what is safe to
// repeat).

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "lib/kit/clients/activation_codes.h"
#include "lib/kit/clients/backend.h"
#include "onramp/activation/v1/activation.grpc.pb.h"

namespace onramp::clients {

class ActivationCodeClient final : public ActivationCodes {
 public:
  ActivationCodeClient(const std::string& address, CallPolicy policy = {});

  absl::StatusOr<activation::v1::CreateCodesResponse> CreateCodes(
      const activation::v1::CreateCodesRequest& request, const std::string& request_id) override;
  absl::StatusOr<activation::v1::ListCodesResponse> ListCodes(const activation::v1::ListCodesRequest& request,
                                                              const std::string& request_id) override;
  absl::StatusOr<activation::v1::ActivationCode> GetCode(const activation::v1::GetCodeRequest& request,
                                                         const std::string& request_id) override;
  absl::StatusOr<activation::v1::ActivationCode> RevokeCode(const activation::v1::RevokeCodeRequest& request,
                                                            const std::string& request_id) override;
  absl::StatusOr<activation::v1::RedeemCodeResponse> RedeemCode(
      const activation::v1::RedeemCodeRequest& request, const std::string& request_id) override;

 private:
  std::unique_ptr<activation::v1::ActivationCodeService::Stub> stub_;
  Backend backend_;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_ACTIVATION_CODE_CLIENT_H_
