#ifndef ONRAMP_LIB_KIT_CLIENTS_ACS_CLIENT_H_
#define ONRAMP_LIB_KIT_CLIENTS_ACS_CLIENT_H_

// Acs over gRPC, through a ServiceChannel and a Backend.

#include <memory>
#include <string>

#include "lib/kit/clients/acs.h"
#include "lib/kit/clients/backend.h"
#include "onramp/acs/v1/acs.grpc.pb.h"

namespace onramp::clients {

class AcsClient final : public Acs {
 public:
  AcsClient(const std::string& address, CallPolicy policy = {});

  absl::StatusOr<acs::v1::ExchangeResponse> Exchange(const acs::v1::ExchangeRequest& request,
                                                     const std::string& request_id) override;
  absl::StatusOr<acs::v1::Task> CreateTask(const acs::v1::CreateTaskRequest& request,
                                           const std::string& request_id) override;
  absl::StatusOr<acs::v1::Task> GetTask(const acs::v1::GetTaskRequest& request,
                                        const std::string& request_id) override;
  absl::StatusOr<acs::v1::ListTasksResponse> ListTasks(const acs::v1::ListTasksRequest& request,
                                                       const std::string& request_id) override;

 private:
  std::unique_ptr<acs::v1::AcsService::Stub> stub_;
  Backend backend_;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_ACS_CLIENT_H_
