#ifndef ONRAMP_SERVICES_ACTIVATION_CODE_SERVICE_H_
#define ONRAMP_SERVICES_ACTIVATION_CODE_SERVICE_H_

// The gRPC adapter: validate the request (errors name the field), call the
// store, map the outcome to a status once.

#include <memory>

#include "absl/time/time.h"
#include "onramp/activation/v1/activation.grpc.pb.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/activation-code/codes.h"
#include "services/activation-code/store.h"

namespace onramp::activation {

struct ServiceOptions {
  RateLimits limits;
  absl::Duration default_expiry = absl::Hours(24 * 7);
};

class ActivationCodeServiceImpl final : public v1::ActivationCodeService::Service {
 public:
  ActivationCodeServiceImpl(CodeStore& store, CodeHasher hasher, BatchSealer sealer,
                            ServiceOptions options, prometheus::Registry& registry);

  grpc::Status CreateCodes(grpc::ServerContext* context, const v1::CreateCodesRequest* request,
                           v1::CreateCodesResponse* response) override;
  grpc::Status ListCodes(grpc::ServerContext* context, const v1::ListCodesRequest* request,
                         v1::ListCodesResponse* response) override;
  grpc::Status GetCode(grpc::ServerContext* context, const v1::GetCodeRequest* request,
                       v1::ActivationCode* response) override;
  grpc::Status RevokeCode(grpc::ServerContext* context, const v1::RevokeCodeRequest* request,
                          v1::ActivationCode* response) override;
  grpc::Status RedeemCode(grpc::ServerContext* context, const v1::RedeemCodeRequest* request,
                          v1::RedeemCodeResponse* response) override;

 private:
  CodeStore& store_;
  const CodeHasher hasher_;
  const BatchSealer sealer_;
  const ServiceOptions options_;
  prometheus::Counter& codes_created_;
  prometheus::Family<prometheus::Counter>& redemptions_;
};

}  // namespace onramp::activation

#endif  // ONRAMP_SERVICES_ACTIVATION_CODE_SERVICE_H_
