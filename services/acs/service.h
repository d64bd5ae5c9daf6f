#ifndef ONRAMP_SERVICES_ACS_SERVICE_H_
#define ONRAMP_SERVICES_ACS_SERVICE_H_

// The ACS's gRPC adapter: a phone's CWMP POST in (through the gateway),
// the session read and saved (store.h), the reply decided (session.h).

#include "lib/kit/clients/profile_render.h"
#include "onramp/acs/v1/acs.grpc.pb.h"
#include "services/acs/store.h"

namespace onramp::acs {

class AcsServiceImpl final : public v1::AcsService::Service {
 public:
  AcsServiceImpl(SessionStore& sessions, clients::ProfileRender& profiles)
      : sessions_(sessions), profiles_(profiles) {}

  grpc::Status Exchange(grpc::ServerContext* context, const v1::ExchangeRequest* request,
                        v1::ExchangeResponse* response) override;

 private:
  SessionStore& sessions_;
  clients::ProfileRender& profiles_;
};

}  // namespace onramp::acs

#endif  // ONRAMP_SERVICES_ACS_SERVICE_H_
