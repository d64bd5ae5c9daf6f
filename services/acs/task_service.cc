// The ACS's task RPCs: a partner's requests for one of its phones, checked,
// queued for the phone's next session and, when asked, with a connection
// request so that session is now.

#include "absl/strings/str_cat.h"
#include "lib/base/random/random.h"
#include "lib/http/client/http_url.h"
#include "lib/kit/server/request_id.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/grpc_status.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"
#include "lib/phone/cwmp/cwmp.h"
#include "services/acs/service.h"

namespace onramp::acs {

namespace {

using status::InvalidField;
using validation::Presence;

constexpr int kMaxParameters = 64;
constexpr size_t kMaxPath = 256;
constexpr size_t kMaxValue = 2048;

absl::Status CheckPath(const std::string& field, const std::string& path, bool partial_allowed) {
  RETURN_IF_ERROR(validation::Text(field, path, kMaxPath));
  if (!path.starts_with("Device.")) return InvalidField(field, absl::StrCat(field, " must start with \"Device.\""));
  if (!partial_allowed && path.ends_with(".")) {
    return InvalidField(field, absl::StrCat(field, " must name one parameter, not a partial path"));
  }
  return absl::OkStatus();
}

// 1..kMaxParameters names, each a path or a partial path.
absl::Status CheckPaths(const v1::Task& task) {
  if (task.names().empty() || task.names_size() > kMaxParameters) {
    return InvalidField("names", absl::StrCat("names must hold 1 to ", kMaxParameters, " paths"));
  }
  for (int i = 0; i < task.names_size(); ++i) {
    RETURN_IF_ERROR(CheckPath(absl::StrCat("names[", i, "]"), task.names(i), /*partial_allowed=*/true));
  }
  return absl::OkStatus();
}

// The task's fields for its kind: what the phone will be sent. A partner's
// Download is a configuration or CA file (firmware follows its upgrade plan).
absl::Status CheckTask(const v1::Task& task) {
  switch (task.kind()) {
    case v1::TASK_KIND_GET_PARAMETER_VALUES:
      return CheckPaths(task);
    case v1::TASK_KIND_SET_PARAMETER_VALUES:
      if (task.values().empty() || task.values_size() > kMaxParameters) {
        return InvalidField("values", absl::StrCat("values must hold 1 to ", kMaxParameters, " values"));
      }
      for (const auto& [path, value] : task.values()) {
        RETURN_IF_ERROR(CheckPath(absl::StrCat("values[", path, "]"), path, /*partial_allowed=*/false));
        if (value.size() > kMaxValue) {
          return InvalidField(absl::StrCat("values[", path, "]"),
                              absl::StrCat("a value is at most ", kMaxValue, " characters"));
        }
      }
      return absl::OkStatus();
    case v1::TASK_KIND_REBOOT:
    case v1::TASK_KIND_FACTORY_RESET:
      return absl::OkStatus();
    case v1::TASK_KIND_GET_PARAMETER_NAMES:
      if (task.names_size() != 1) return InvalidField("names", "names must hold one path (\"\" for the top)");
      if (task.names(0).empty()) return absl::OkStatus();
      return CheckPath("names[0]", task.names(0), /*partial_allowed=*/true);
    case v1::TASK_KIND_GET_PARAMETER_ATTRIBUTES:
      return CheckPaths(task);
    case v1::TASK_KIND_SET_PARAMETER_ATTRIBUTES:
      if (task.values().empty() || task.values_size() > kMaxParameters) {
        return InvalidField("values", absl::StrCat("values must hold 1 to ", kMaxParameters, " paths"));
      }
      for (const auto& [path, notification] : task.values()) {
        RETURN_IF_ERROR(CheckPath(absl::StrCat("values[", path, "]"), path, /*partial_allowed=*/true));
        if (notification != "0" && notification != "1" && notification != "2") {
          return InvalidField(absl::StrCat("values[", path, "]"),
                              "a notification is \"0\" (off), \"1\" (passive) or \"2\" (active)");
        }
      }
      return absl::OkStatus();
    case v1::TASK_KIND_ADD_OBJECT:
    case v1::TASK_KIND_DELETE_OBJECT:
      if (task.names_size() != 1 || !task.names(0).ends_with(".")) {
        return InvalidField("names", "names must hold one object path, ending in \".\"");
      }
      return CheckPath("names[0]", task.names(0), /*partial_allowed=*/true);
    case v1::TASK_KIND_DOWNLOAD:
      if (task.file_type() != cwmp::kVendorConfigurationFile && task.file_type() != cwmp::kCustomCaFile) {
        return InvalidField("file_type", absl::StrCat("file_type must be \"", cwmp::kVendorConfigurationFile,
                                                      "\" or \"", cwmp::kCustomCaFile, "\""));
      }
      RETURN_IF_ERROR(validation::Text("url", task.url(), 1024));
      if (!http_client::ParseHttpUrl(task.url())) return InvalidField("url", "url must be an http(s) URL");
      return absl::OkStatus();
    default:
      return InvalidField("kind", "kind is required");
  }
}

}  // namespace

absl::Status AcsServiceImpl::CheckOwner(const std::string& partner, const std::string& mac,
                                        const std::string& request_id) {
  // Who owns the phone is device-activation's word.
  device::v1::GetOwnersRequest owners;
  owners.add_macs()->set_value(mac);
  ASSIGN_OR_RETURN(device::v1::GetOwnersResponse owned, devices_.GetOwners(owners, request_id));
  if (owned.phones().empty() || owned.phones(0).partner() != partner) {
    return absl::NotFoundError(absl::StrCat("no phone ", mac, " of partner ", partner));
  }
  return absl::OkStatus();
}

grpc::Status AcsServiceImpl::CreateTask(grpc::ServerContext* context, const v1::CreateTaskRequest* request,
                                        v1::Task* response) {
  auto run = [&]() -> absl::Status {
    v1::Task task;
    task.set_partner(request->partner());
    task.set_kind(request->kind());
    *task.mutable_names() = request->names();
    *task.mutable_values() = request->values();
    task.set_file_type(request->file_type());
    task.set_url(request->url());
    task.set_next_level(request->next_level());
    RETURN_IF_ERROR(validation::Name("partner", task.partner(), 64));
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    RETURN_IF_ERROR(CheckTask(task));
    RETURN_IF_ERROR(validation::Text("idempotency_key", request->idempotency_key(), 128, Presence::kOptional));
    const std::string request_id = server::RequestIdOf(*context);
    RETURN_IF_ERROR(CheckOwner(task.partner(), mac, request_id));
    task.mutable_mac()->set_value(mac);
    ASSIGN_OR_RETURN(std::string id, random::Uuid());
    task.set_id(id);
    ASSIGN_OR_RETURN(v1::Task stored, tasks_.Create(task, request->idempotency_key()));
    if (stored.id() == id) Record(mac, "task_queued", TaskSummary(stored), request_id);
    if (request->connection_request() && stored.id() == id) {
      ASSIGN_OR_RETURN(std::optional<PhoneAddress> phone, tasks_.GetPhone(mac));
      std::string outcome = phone ? requester_.Request(*phone, tr069::ConnectionRequestCredentials(options_.tr069_credentials_secret, mac))
                                  : "no connection request URL yet";
      RETURN_IF_ERROR(tasks_.SetConnectionRequest(id, outcome));
      // As it is now: the phone's session, begun by the request, may have
      // run it already.
      ASSIGN_OR_RETURN(stored, tasks_.Get(stored.partner(), id));
    }
    *response = std::move(stored);
    return absl::OkStatus();
  };
  return status::ToGrpcStatus(run());
}

grpc::Status AcsServiceImpl::GetTask(grpc::ServerContext*, const v1::GetTaskRequest* request, v1::Task* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Uuid("id", request->id()));
    ASSIGN_OR_RETURN(*response, tasks_.Get(request->partner(), request->id()));
    return absl::OkStatus();
  };
  return status::ToGrpcStatus(run());
}

grpc::Status AcsServiceImpl::ListTasks(grpc::ServerContext* context, const v1::ListTasksRequest* request,
                                       v1::ListTasksResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    RETURN_IF_ERROR(CheckOwner(request->partner(), mac, server::RequestIdOf(*context)));
    auto listed = tasks_.List(request->partner(), mac, page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (v1::Task& task : listed->first) *response->add_tasks() = std::move(task);
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return status::ToGrpcStatus(run());
}

}  // namespace onramp::acs
