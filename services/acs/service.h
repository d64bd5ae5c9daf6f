#ifndef ONRAMP_SERVICES_ACS_SERVICE_H_
#define ONRAMP_SERVICES_ACS_SERVICE_H_

// The ACS's gRPC adapter: a phone's CWMP POST in (through the gateway),
// the session read and saved (store.h), the reply decided (session.h), its
// effects stored (upgrade reports to profile-render, tasks' outcomes);
// partners' tasks queued (task_service.cc), with a connection request when
// asked.

#include <optional>
#include <string>

#include "lib/kit/clients/device_activation.h"
#include "lib/kit/clients/profile_render.h"
#include "onramp/acs/v1/acs.grpc.pb.h"
#include "services/acs/connection_request.h"
#include "services/acs/store.h"
#include "services/acs/task_store.h"

namespace onramp::acs {

struct ServiceOptions {
  // Derives each phone's ACS and connection-request credentials
  // (lib/phone/tr069/credentials.h) and seals the Digest nonces.
  std::string tr069_credentials_secret;
};

class AcsServiceImpl final : public v1::AcsService::Service {
 public:
  AcsServiceImpl(SessionStore& sessions, TaskStore& tasks, clients::ProfileRender& profiles,
                 clients::DeviceActivation& devices, ConnectionRequester& requester, ServiceOptions options)
      : sessions_(sessions),
        tasks_(tasks),
        profiles_(profiles),
        devices_(devices),
        requester_(requester),
        options_(std::move(options)) {}

  grpc::Status Exchange(grpc::ServerContext* context, const v1::ExchangeRequest* request,
                        v1::ExchangeResponse* response) override;
  grpc::Status CreateTask(grpc::ServerContext* context, const v1::CreateTaskRequest* request,
                          v1::Task* response) override;
  grpc::Status GetTask(grpc::ServerContext* context, const v1::GetTaskRequest* request, v1::Task* response) override;
  grpc::Status ListTasks(grpc::ServerContext* context, const v1::ListTasksRequest* request,
                         v1::ListTasksResponse* response) override;

 private:
  // The phone's Inform: a new session.
  absl::Status Open(const std::string& mac, const cwmp::Envelope& inform, const v1::ExchangeRequest& request,
                    const std::string& request_id, v1::ExchangeResponse* response);
  // A later message's effects: an upgrade report, tasks sent and finished.
  absl::Status Store(const std::string& mac, const v1::SessionState& before, const Effects& effects,
                     const std::string& source_address, const std::string& request_id);
  // The phone a request without a certificate's proof comes from, by its
  // own ACS credentials (Digest or Basic); nullopt: `response` is a 401
  // with the challenges.
  std::optional<std::string> ByCredentials(const v1::ExchangeRequest& request, v1::ExchangeResponse* response);
  // Tells profile-render the phone holds its profile; whether it recorded it.
  bool ConfirmDelivery(const v1::SessionState& state, const std::string& request_id);
  // NOT_FOUND unless `partner` owns the phone.
  absl::Status CheckOwner(const std::string& partner, const std::string& mac, const std::string& request_id);
  // A line on the phone's timeline; a lost one is only logged.
  void Record(const std::string& mac, const std::string& kind, const std::string& detail,
              const std::string& request_id);

  SessionStore& sessions_;
  TaskStore& tasks_;
  clients::ProfileRender& profiles_;
  clients::DeviceActivation& devices_;
  ConnectionRequester& requester_;
  const ServiceOptions options_;
};

}  // namespace onramp::acs

#endif  // ONRAMP_SERVICES_ACS_SERVICE_H_
