#include "tools/onramp/tasks_command.h"

#include <chrono>
#include <iostream>
#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpcpp/create_channel.h"
#include "lib/kit/config/flags.h"
#include "onramp/acs/v1/acs.grpc.pb.h"
#include "tools/onramp/cli_kit.h"

namespace onramp::cli {

namespace {

namespace acsv1 = ::onramp::acs::v1;

constexpr char kUsage[] =
    "Usage: onramp tasks create --partner P --mac MAC --kind KIND [--names PATH,...] [--set PATH=VALUE,...]\n"
    "                           [--next_level] [--url URL] [--connection_request]\n"
    "         KIND: get, set, get-names, get-attributes, set-attributes, add-object, delete-object,\n"
    "               reboot, factory-reset, download\n"
    "       onramp tasks list   --partner P --mac MAC [--page_size N] [--page_token T]\n"
    "       onramp tasks get    --partner P --id ID\n"
    "\n"
    "TR-069 tasks for a partner's phones, run at the phone's next session with the ACS\n"
    "(or at once, with --connection_request).\n";

}  // namespace

int TasksCommand(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  std::string address, partner, mac, kind, names, set, url, id, page_token, file_type = "configuration";
  bool connection_request = false;
  bool next_level = false;
  int page_size = 0;
  config::Flags flags(absl::StrCat("onramp tasks ", command), "TR-069 tasks for a partner's phones.");
  flags.RequiredString("acs_addr", &address, "host:port of the acs service.");
  flags.RequiredString("partner", &partner, "Partner id.");
  if (command == "create") {
    flags.RequiredString("mac", &mac, "The phone's MAC.");
    flags.Choice("kind", &kind,
                 {"get", "set", "get-names", "get-attributes", "set-attributes", "add-object", "delete-object",
                  "reboot", "factory-reset", "download"},
                 "get: read parameters; set: write them; get-names: the tree under a path; *-attributes: "
                 "notification; add-object/delete-object: a line; download: a configuration file.");
    flags.String("names", &names,
                 "get, get-attributes: TR-069 paths (a partial path ends in \".\"), comma-separated; get-names: one "
                 "path; add-object, delete-object: the object or instance (\"...Line.\", \"...Line.2.\").");
    flags.String("set", &set, "set: PATH=VALUE,...; set-attributes: PATH=NOTIFICATION (0 off, 1 passive, 2 active).");
    flags.Bool("next_level", &next_level, "get-names: only the level below the path.");
    flags.String("url", &url, "download: the file's URL.");
    flags.Choice("file_type", &file_type, {"configuration", "ca"},
                 "download: a configuration file (a flat profile) or a CA certificate to trust.");
    flags.Bool("connection_request", &connection_request, "Ask the phone for a session now.");
  } else if (command == "list") {
    flags.RequiredString("mac", &mac, "The phone's MAC.");
    flags.Int("page_size", &page_size, 0, 1000, "Tasks per page (0: the service's default).");
    flags.String("page_token", &page_token, "From the previous page.");
  } else if (command == "get") {
    flags.RequiredString("id", &id, "The task's id.");
  } else {
    std::cerr << "onramp: unknown command \"tasks " << command << "\"\n\n" << kUsage;
    return 2;
  }
  ParseOrExit(flags, argc - 1, argv + 1);

  auto stub = acsv1::AcsService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  acsv1::Task task;
  if (command == "create") {
    acsv1::CreateTaskRequest request;
    request.set_partner(partner);
    request.mutable_mac()->set_value(mac);
    static const auto* const kinds = new std::map<std::string, acsv1::TaskKind>{
        {"get", acsv1::TASK_KIND_GET_PARAMETER_VALUES},
        {"set", acsv1::TASK_KIND_SET_PARAMETER_VALUES},
        {"get-names", acsv1::TASK_KIND_GET_PARAMETER_NAMES},
        {"get-attributes", acsv1::TASK_KIND_GET_PARAMETER_ATTRIBUTES},
        {"set-attributes", acsv1::TASK_KIND_SET_PARAMETER_ATTRIBUTES},
        {"add-object", acsv1::TASK_KIND_ADD_OBJECT},
        {"delete-object", acsv1::TASK_KIND_DELETE_OBJECT},
        {"reboot", acsv1::TASK_KIND_REBOOT},
        {"factory-reset", acsv1::TASK_KIND_FACTORY_RESET},
        {"download", acsv1::TASK_KIND_DOWNLOAD}};
    request.set_kind(kinds->at(kind));
    request.set_next_level(next_level);
    for (absl::string_view name : absl::StrSplit(names, ',', absl::SkipEmpty())) {
      request.add_names(std::string(absl::StripAsciiWhitespace(name)));
    }
    // The top of the tree is the empty path.
    if (kind == "get-names" && request.names().empty()) request.add_names("");
    for (absl::string_view pair : absl::StrSplit(set, ',', absl::SkipEmpty())) {
      std::pair<std::string, std::string> path_value = absl::StrSplit(pair, absl::MaxSplits('=', 1));
      (*request.mutable_values())[path_value.first] = path_value.second;
    }
    if (kind == "download") {
      request.set_file_type(file_type == "ca" ? "X 000E08 Custom CA File" : "3 Vendor Configuration File");
      request.set_url(url);
    }
    request.set_connection_request(connection_request);
    return Print(stub->CreateTask(&context, request, &task), task);
  }
  if (command == "list") {
    acsv1::ListTasksRequest request;
    request.set_partner(partner);
    request.mutable_mac()->set_value(mac);
    request.mutable_page()->set_page_size(page_size);
    request.mutable_page()->set_page_token(page_token);
    acsv1::ListTasksResponse response;
    return Print(stub->ListTasks(&context, request, &response), response);
  }
  acsv1::GetTaskRequest request;
  request.set_partner(partner);
  request.set_id(id);
  return Print(stub->GetTask(&context, request, &task), task);
}

}  // namespace onramp::cli
