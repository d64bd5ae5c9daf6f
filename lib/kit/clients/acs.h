#ifndef ONRAMP_LIB_KIT_CLIENTS_ACS_H_
#define ONRAMP_LIB_KIT_CLIENTS_ACS_H_

// The ACS as the gateway calls it (see activation_codes.h for the pattern).

#include <string>

#include "absl/status/statusor.h"
#include "onramp/acs/v1/acs.pb.h"

namespace onramp::clients {

class Acs {
 public:
  virtual ~Acs() = default;
  // One CWMP POST of a phone's. Repeated: a session answers the message it
  // has just answered with the same answer (a repeated Inform opens a
  // session nobody continues, which expires).
  virtual absl::StatusOr<acs::v1::ExchangeResponse> Exchange(const acs::v1::ExchangeRequest& request,
                                                             const std::string& request_id) = 0;
  // Repeated only with an idempotency key (the same task again).
  virtual absl::StatusOr<acs::v1::Task> CreateTask(const acs::v1::CreateTaskRequest& request,
                                                   const std::string& request_id) = 0;
  virtual absl::StatusOr<acs::v1::Task> GetTask(const acs::v1::GetTaskRequest& request,
                                                const std::string& request_id) = 0;
  virtual absl::StatusOr<acs::v1::ListTasksResponse> ListTasks(const acs::v1::ListTasksRequest& request,
                                                               const std::string& request_id) = 0;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_ACS_H_
