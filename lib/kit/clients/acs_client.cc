#include "lib/kit/clients/acs_client.h"

#include "lib/kit/clients/channel.h"
#include "lib/kit/clients/unary_call.h"

namespace onramp::clients {

using Stub = acs::v1::AcsService::Stub;

AcsClient::AcsClient(const std::string& address, CallPolicy policy)
    : stub_(acs::v1::AcsService::NewStub(ServiceChannel(address))), backend_("acs", std::move(policy)) {}

absl::StatusOr<acs::v1::ExchangeResponse> AcsClient::Exchange(const acs::v1::ExchangeRequest& request,
                                                             const std::string& request_id) {
  return UnaryCall(backend_, "Exchange", Repeat::kSafe, *stub_, &Stub::Exchange, request, request_id);
}

absl::StatusOr<acs::v1::Task> AcsClient::CreateTask(const acs::v1::CreateTaskRequest& request,
                                                    const std::string& request_id) {
  Repeat repeat = request.idempotency_key().empty() ? Repeat::kOnce : Repeat::kSafe;
  return UnaryCall(backend_, "CreateTask", repeat, *stub_, &Stub::CreateTask, request, request_id);
}

absl::StatusOr<acs::v1::Task> AcsClient::GetTask(const acs::v1::GetTaskRequest& request,
                                                 const std::string& request_id) {
  return UnaryCall(backend_, "GetTask", Repeat::kSafe, *stub_, &Stub::GetTask, request, request_id);
}

absl::StatusOr<acs::v1::ListTasksResponse> AcsClient::ListTasks(const acs::v1::ListTasksRequest& request,
                                                                const std::string& request_id) {
  return UnaryCall(backend_, "ListTasks", Repeat::kSafe, *stub_, &Stub::ListTasks, request, request_id);
}

}  // namespace onramp::clients
