#include "tools/onramp/api_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "lib/base/strings/csv.h"
#include "lib/http/client/http_client.h"
#include "lib/http/client/http_url.h"
#include "lib/kit/config/flags.h"
#include "tools/onramp/cli_kit.h"

namespace onramp::cli {

namespace {

namespace protobuf = google::protobuf;

struct Target {
  http_client::HttpLocation base;  // the API's root, e.g. https://host:7132/api/v1
  std::string key;
  std::string ca_file;
};

struct Answer {
  int status = 0;
  std::string body;
};

absl::StatusOr<Answer> Send(const Target& target, const std::string& method, const std::string& path,
                            const std::string& content_type, const std::string& body) {
  http_client::HttpRequest request{.tls = target.base.tls,
                                   .host = target.base.host,
                                   .port = target.base.port,
                                   .method = method,
                                   .target = absl::StrCat(absl::StripSuffix(target.base.target, "/"), path),
                                   .body = body,
                                   .ca_file = target.ca_file,
                                   .timeout = absl::Minutes(5)};
  request.headers["Authorization"] = absl::StrCat("Bearer ", target.key);
  request.headers["Accept"] = "application/json";
  if (!body.empty()) request.headers["Content-Type"] = content_type;
  http_client::HttpClient client;
  absl::StatusOr<http_client::HttpResponse> response = client.Fetch(request);
  if (!response.ok()) return response.status();
  return Answer{response->status, response->body};
}

// The CSV as chunks of `rows` records, each with the header line first.
absl::StatusOr<std::vector<std::string>> Chunks(const std::string& csv, int rows, int* total) {
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipWhitespace());
  if (lines.empty()) return absl::InvalidArgumentError("the CSV has no header row");
  // Quoted fields with line breaks would be split wrongly here: refuse them.
  absl::StatusOr<std::vector<strings::CsvRecord>> records = strings::ParseCsv(csv);
  if (!records.ok()) return records.status();
  if (records->size() != lines.size()) {
    return absl::InvalidArgumentError("a CSV field holds a line break; send such a file with --data @file");
  }
  *total = static_cast<int>(lines.size()) - 1;
  std::vector<std::string> chunks;
  for (size_t start = 1; start < lines.size(); start += rows) {
    std::string chunk = absl::StrCat(lines[0], "\n");
    for (size_t i = start; i < std::min(lines.size(), start + rows); ++i) absl::StrAppend(&chunk, lines[i], "\n");
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

// Adds a chunk's reply to the merged one: results renumbered from
// `first_row`, numeric counts summed.
void Merge(const protobuf::Struct& reply, int first_row, protobuf::Struct* merged) {
  auto& fields = *merged->mutable_fields();
  for (const auto& [name, value] : reply.fields()) {
    if (value.has_list_value()) {
      protobuf::ListValue& list = *fields[name].mutable_list_value();
      for (protobuf::Value item : value.list_value().values()) {
        if (item.has_struct_value() && item.struct_value().fields().contains("row")) {
          auto& row = (*item.mutable_struct_value()->mutable_fields())["row"];
          row.set_number_value(row.number_value() + first_row);
        }
        *list.add_values() = std::move(item);
      }
    } else if (value.has_struct_value()) {
      protobuf::Struct& counts = *fields[name].mutable_struct_value();
      for (const auto& [count, number] : value.struct_value().fields()) {
        auto& sum = (*counts.mutable_fields())[count];
        sum.set_number_value(sum.number_value() + number.number_value());
      }
    } else {
      fields[name] = value;
    }
  }
}

// "claimed 1000, conflicts 0, ..." from a reply's counts.
std::string CountsLine(const protobuf::Struct& merged) {
  std::vector<std::string> parts;
  auto counts = merged.fields().find("counts");
  if (counts == merged.fields().end()) return "";
  for (const auto& [name, value] : counts->second.struct_value().fields()) {
    parts.push_back(absl::StrCat(name, " ", static_cast<int64_t>(value.number_value())));
  }
  return absl::StrJoin(parts, ", ");
}

bool SomeRowsRefused(const protobuf::Struct& merged) {
  auto counts = merged.fields().find("counts");
  if (counts == merged.fields().end()) return false;
  for (const char* refused : {"conflicts", "invalid", "not_found"}) {
    auto found = counts->second.struct_value().fields().find(refused);
    if (found != counts->second.struct_value().fields().end() && found->second.number_value() > 0) return true;
  }
  return false;
}

int Finish(const Answer& answer) {
  std::cout << answer.body << (answer.body.ends_with("\n") ? "" : "\n");
  if (answer.status >= 300) std::cerr << "onramp: HTTP " << answer.status << "\n";
  return ExitCodeForHttp(answer.status);
}

}  // namespace

int ApiCommand(int argc, char** argv) {
  std::string method, data, csv, api_url, api_key, ca_file, gateway_https;
  int chunk = 1000;
  std::vector<std::string> paths;
  config::Flags flags("onramp api", "The partner REST API, as a partner calls it (HTTPS, its API key).");
  flags.String("method", &method, "The HTTP method, also -X (default GET, or POST with --data or --csv).");
  flags.String("data", &data, "The JSON body, or @file to read it from a file.");
  flags.String("csv", &csv, "A CSV file to send as text/csv in chunks, with progress on stderr.");
  flags.Int("chunk", &chunk, 1, 10000, "Rows per chunk of --csv.");
  flags.String("api_url", &api_url,
               "The API's root (default: https://<gateway HTTPS address from .fleet/endpoints.env>/api/v1).");
  flags.String("gateway_https_addr", &gateway_https, "host:port of the gateway's HTTPS listener.");
  flags.RequiredString("api_key", &api_key, "Secret: the partner's API key (onr_...).");
  flags.String("ca_file", &ca_file, "CA of the gateway's certificate (default: the system's, or the local fleet's).");
  flags.AllowPositional("PATH, e.g. /devices?page_size=5", &paths);
  // curl's and gh's -X METHOD.
  std::vector<std::string> args;
  for (int i = 0; i < argc; ++i) {
    if (std::string_view(argv[i]) == "-X" && i + 1 < argc) {
      args.push_back(absl::StrCat("--method=", argv[++i]));
    } else {
      args.push_back(argv[i]);
    }
  }
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  ParseOrExit(flags, static_cast<int>(pointers.size()), pointers.data());
  if (paths.size() != 1) {
    std::cerr << "onramp api: give one PATH, e.g. /devices (see --help)\n";
    return kExitUsage;
  }
  if (api_url.empty()) {
    if (gateway_https.empty()) {
      std::cerr << "onramp api: no --api_url, ONRAMP_API_URL or fleet gateway address\n";
      return kExitUsage;
    }
    api_url = absl::StrCat("https://", gateway_https, "/api/v1");
  }
  if (ca_file.empty() && !FleetDir().empty() && std::filesystem::exists(FleetDir() + "/ca/ca.pem")) {
    ca_file = FleetDir() + "/ca/ca.pem";
  }
  std::optional<http_client::HttpLocation> base = http_client::ParseHttpUrl(api_url);
  if (!base) {
    std::cerr << "onramp api: --api_url is not an http(s) URL\n";
    return kExitUsage;
  }
  Target target{*base, api_key, ca_file};
  std::string path = paths[0].starts_with("/") ? paths[0] : "/" + paths[0];
  if (data.starts_with("@")) {
    std::ifstream in(data.substr(1), std::ios::binary);
    if (!in) return PrintError(absl::NotFoundError(absl::StrCat("cannot read ", data.substr(1))));
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (method.empty()) method = data.empty() && csv.empty() ? "GET" : "POST";
  method = absl::AsciiStrToUpper(method);

  if (csv.empty()) {
    absl::StatusOr<Answer> answer = Send(target, method, path, "application/json", data);
    if (!answer.ok()) return PrintError(answer.status());
    return Finish(*answer);
  }
  std::ifstream in(csv, std::ios::binary);
  if (!in) return PrintError(absl::NotFoundError(absl::StrCat("cannot read ", csv)));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int total = 0;
  absl::StatusOr<std::vector<std::string>> chunks = Chunks(text, chunk, &total);
  if (!chunks.ok()) return PrintError(chunks.status());
  protobuf::Struct merged;
  int done = 0;
  for (const std::string& piece : *chunks) {
    absl::StatusOr<Answer> answer = Send(target, method, path, "text/csv", piece);
    if (!answer.ok()) return PrintError(answer.status());
    if (answer->status >= 300) {
      std::cerr << "onramp: rows " << done + 1 << "- refused:\n";
      return Finish(*answer);
    }
    protobuf::Struct reply;
    if (!protobuf::util::JsonStringToMessage(answer->body, &reply).ok()) {
      return PrintError(absl::InternalError(absl::StrCat("not JSON: ", answer->body.substr(0, 200))));
    }
    Merge(reply, done, &merged);
    done += static_cast<int>(std::count(piece.begin(), piece.end(), '\n')) - 1;
    std::cerr << "rows " << done << "/" << total << ": " << CountsLine(merged) << "\n";
  }
  std::string json;
  (void)protobuf::util::MessageToJsonString(merged, &json);
  std::cout << json << "\n";
  return SomeRowsRefused(merged) ? kExitPartial : kExitOk;
}

}  // namespace onramp::cli
