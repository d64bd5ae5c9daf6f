#include "tools/onramp/cli_kit.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "lib/kit/partner_json/partner_json.h"

namespace onramp::cli {

namespace {

namespace protobuf = google::protobuf;
using protobuf::FieldDescriptor;

Output output_format = Output::kTable;

// The cell of a scalar-like field: strings, numbers, enums without their
// common prefix (ACQUIRED, not CUSTOMIZATION_STATE_ACQUIRED), MACs,
// timestamps (RFC 3339); nullopt for fields that are not one value.
std::optional<std::string> Cell(const protobuf::Message& message, const FieldDescriptor* field) {
  if (field->is_repeated()) return std::nullopt;
  const protobuf::Reflection* reflection = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: return reflection->GetString(message, field);
    case FieldDescriptor::CPPTYPE_INT32: return std::to_string(reflection->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64: return std::to_string(reflection->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT32: return std::to_string(reflection->GetUInt32(message, field));
    case FieldDescriptor::CPPTYPE_UINT64: return std::to_string(reflection->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_BOOL: return reflection->GetBool(message, field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM: {
      std::string name = reflection->GetEnum(message, field)->name();
      // CustomizationState -> CUSTOMIZATION_STATE_: the type's name in snake case.
      std::string snake;
      for (char c : field->enum_type()->name()) {
        if (absl::ascii_isupper(c) && !snake.empty()) snake += '_';
        snake += absl::ascii_toupper(c);
      }
      snake += '_';
      if (name.starts_with(snake)) name = name.substr(snake.size());
      return name;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!reflection->HasField(message, field)) return std::string();
      const protobuf::Message& inner = reflection->GetMessage(message, field);
      const protobuf::Descriptor* type = inner.GetDescriptor();
      if (type->full_name() == "google.protobuf.Timestamp") {
        const auto& time = static_cast<const protobuf::Timestamp&>(inner);
        return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(time.seconds()), absl::UTCTimeZone());
      }
      if (type->full_name() == "onramp.common.v1.MacAddress") return Cell(inner, type->FindFieldByName("value"));
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

std::string Pad(const std::string& text, size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string Rows(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += i + 1 == row.size() ? row[i] : Pad(row[i], widths[i] + 2);
    absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
  }
  return out;
}

// "name  value" for each set field, nested ones as "outer.inner".
void FieldRows(const protobuf::Message& message, const std::string& prefix, std::vector<std::vector<std::string>>* rows) {
  const protobuf::Descriptor* type = message.GetDescriptor();
  const protobuf::Reflection* reflection = message.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->is_map()) {
      // key -> value, each a line: "values[Device.X.Y]  60".
      const protobuf::Descriptor* entry = field->message_type();
      for (int e = 0; e < reflection->FieldSize(message, field); ++e) {
        const protobuf::Message& pair = reflection->GetRepeatedMessage(message, field, e);
        std::optional<std::string> key = Cell(pair, entry->map_key());
        std::optional<std::string> value = Cell(pair, entry->map_value());
        rows->push_back({absl::StrCat(prefix, field->name(), "[", key.value_or(""), "]"), value.value_or("")});
      }
      continue;
    }
    std::optional<std::string> cell = Cell(message, field);
    if (cell) {
      if (!cell->empty()) rows->push_back({prefix + field->name(), *cell});
    } else if (field->message_type() != nullptr && !field->is_repeated() && reflection->HasField(message, field)) {
      FieldRows(reflection->GetMessage(message, field), absl::StrCat(prefix, field->name(), "."), rows);
    } else if (field->is_repeated() && field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      std::vector<std::string> values;
      for (int v = 0; v < reflection->FieldSize(message, field); ++v) {
        values.push_back(reflection->GetRepeatedString(message, field, v));
      }
      if (!values.empty()) rows->push_back({prefix + field->name(), absl::StrJoin(values, ", ")});
    } else if (field->is_repeated() && reflection->FieldSize(message, field) > 0) {
      rows->push_back(
          {prefix + field->name(), absl::StrCat(reflection->FieldSize(message, field), " (-o json shows them)")});
    }
  }
}

}  // namespace

int ExitCodeFor(absl::StatusCode code) {
  using C = absl::StatusCode;
  switch (code) {
    case C::kOk: return kExitOk;
    case C::kInvalidArgument:
    case C::kOutOfRange: return kExitUsage;
    case C::kNotFound: return kExitNotFound;
    case C::kUnauthenticated:
    case C::kPermissionDenied: return kExitDenied;
    case C::kAlreadyExists:
    case C::kFailedPrecondition:
    case C::kAborted: return kExitConflict;
    case C::kResourceExhausted:
    case C::kUnavailable:
    case C::kDeadlineExceeded: return kExitTryAgain;
    default: return kExitFailed;
  }
}

int ExitCodeForHttp(int status) {
  if (status >= 200 && status < 300) return kExitOk;
  switch (status) {
    case 400:
    case 405:
    case 413:
    case 415: return kExitUsage;
    case 404: return kExitNotFound;
    case 401:
    case 403: return kExitDenied;
    case 409:
    case 412: return kExitConflict;
    case 429:
    case 503:
    case 504: return kExitTryAgain;
    default: return kExitFailed;
  }
}

std::string FleetDir() {
  if (const char* dir = std::getenv("ONRAMP_FLEET_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (std::filesystem::exists(".fleet/endpoints.env")) return ".fleet";
  return "";
}

config::EnvironmentMap CliEnvironment() {
  config::EnvironmentMap environment = config::Environment();
  std::string dir = FleetDir();
  if (dir.empty()) return environment;
  std::ifstream file(dir + "/endpoints.env");
  for (std::string line; std::getline(file, line);) {
    size_t equals = line.find('=');
    if (line.empty() || line[0] == '#' || equals == std::string::npos) continue;
    environment.emplace(line.substr(0, equals), line.substr(equals + 1));  // the process's own win
  }
  return environment;
}

Output OutputFormat() { return output_format; }

void ParseOrExit(config::Flags& flags, int argc, char** argv) {
  // Scripts may ask once for all their calls.
  if (const char* wanted = std::getenv("ONRAMP_OUTPUT"); wanted != nullptr && std::string_view(wanted) == "json") {
    output_format = Output::kJson;
  }
  std::vector<const char*> kept;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string value;
    if ((arg == "-o" || arg == "--output") && i + 1 < argc) {
      value = argv[++i];
    } else if (arg.starts_with("--output=") || arg.starts_with("-o=")) {
      value = std::string(arg.substr(arg.find('=') + 1));
    } else {
      kept.push_back(argv[i]);
      continue;
    }
    if (value != "table" && value != "json") {
      std::cerr << "onramp: -o is table or json, not \"" << value << "\"\n";
      std::exit(kExitUsage);
    }
    output_format = value == "json" ? Output::kJson : Output::kTable;
  }
  absl::StatusOr<config::ParseOutcome> outcome =
      flags.Parse(static_cast<int>(kept.size()), kept.data(), CliEnvironment());
  if (!outcome.ok()) {
    std::cerr << "onramp: " << outcome.status().message()
              << "\n(addresses come from flags, ONRAMP_* variables or the fleet's .fleet/endpoints.env)\n";
    std::exit(kExitUsage);
  }
  if (*outcome == config::ParseOutcome::kShowHelp) {
    std::cout << flags.Usage()
              << "  -o, --output table|json  (ONRAMP_OUTPUT)\n      How replies print (default: table).\n";
    std::exit(kExitOk);
  }
}

std::string Table(const protobuf::Message& message) {
  const protobuf::Descriptor* type = message.GetDescriptor();
  const protobuf::Reflection* reflection = message.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* list = type->field(i);
    if (!list->is_repeated() || list->is_map() || list->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const protobuf::Descriptor* item = list->message_type();
    std::vector<const FieldDescriptor*> columns;
    std::vector<std::vector<std::string>> rows(1);
    for (int c = 0; c < item->field_count(); ++c) {
      const FieldDescriptor* field = item->field(c);
      if (field->is_repeated() || (field->message_type() != nullptr &&
                                   field->message_type()->full_name() != "google.protobuf.Timestamp" &&
                                   field->message_type()->full_name() != "onramp.common.v1.MacAddress")) {
        continue;
      }
      columns.push_back(field);
      rows[0].push_back(absl::AsciiStrToUpper(field->name()));
    }
    for (int r = 0; r < reflection->FieldSize(message, list); ++r) {
      const protobuf::Message& each = reflection->GetRepeatedMessage(message, list, r);
      std::vector<std::string>& row = rows.emplace_back();
      for (const FieldDescriptor* column : columns) row.push_back(Cell(each, column).value_or(""));
    }
    // Columns empty in every row say nothing (-o json still has them).
    if (rows.size() > 1) {
      for (size_t c = rows[0].size(); c-- > 0;) {
        bool empty = std::all_of(rows.begin() + 1, rows.end(), [c](const auto& row) { return row[c].empty(); });
        if (!empty) continue;
        for (auto& row : rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(c));
      }
    }
    std::string out = Rows(rows);
    // What else the reply holds (counts, the next page) after the rows.
    std::vector<std::vector<std::string>> rest;
    for (int f = 0; f < type->field_count(); ++f) {
      const FieldDescriptor* field = type->field(f);
      if (field == list || field->message_type() == nullptr || field->is_repeated()) continue;
      if (!reflection->HasField(message, field)) continue;
      FieldRows(reflection->GetMessage(message, field), absl::StrCat(field->name(), "."), &rest);
    }
    if (!rest.empty()) absl::StrAppend(&out, "\n", Rows(rest));
    return out;
  }
  std::vector<std::vector<std::string>> rows;
  FieldRows(message, "", &rows);
  return Rows(rows);
}

int PrintError(const absl::Status& status) {
  std::cerr << "onramp: " << absl::StatusCodeToString(status.code()) << ": " << status.message() << "\n";
  return ExitCodeFor(status.code());
}

int Print(const grpc::Status& status, const protobuf::Message& reply) {
  if (!status.ok()) {
    return PrintError(absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message()));
  }
  if (output_format == Output::kJson) {
    std::cout << partner_json::Print(reply).value_or("{}") << "\n";
  } else {
    std::cout << Table(reply);
  }
  return kExitOk;
}

}  // namespace onramp::cli
