#include "services/gateway/rest.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "lib/base/strings/form.h"
#include "lib/http/status/http_status.h"
#include "lib/kit/log/log.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/partner_json/partner_json.h"

namespace onramp::gateway::rest {

namespace http = boost::beast::http;
namespace protobuf = google::protobuf;
using status::InvalidField;

Response Json(http::status status, std::string body) {
  Response response(status, 11);
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.keep_alive(true);
  response.prepare_payload();
  return response;
}

Reply Error(const absl::Status& status, absl::Duration retry_after) {
  int code = http_status::ForPartner(status.code());
  if (code >= 500) log::Warn("partner API backend call failed", {{"error", status.ToString()}});
  // A server fault's details are for the logs, not for the caller.
  absl::Status shown = code >= 500 && code != 503 ? absl::Status(status.code(), "internal error") : status;
  Response response = Json(static_cast<http::status>(code), http_status::ErrorBody(shown));
  if (code == 429 || code == 503)
    response.set(http::field::retry_after, http_status::RetryAfterSeconds(status, retry_after));
  if (code == 401) response.set(http::field::www_authenticate, "Bearer realm=\"onramp\"");
  return response;
}

Reply Ok(const protobuf::Message& message, http::status status) {
  absl::StatusOr<std::string> json = partner_json::Print(message);
  if (!json.ok()) return Error(json.status());
  return Json(status, *std::move(json));
}

absl::Status ParseJsonBody(const Request& request, protobuf::Message* message) {
  if (request.body().empty()) return absl::OkStatus();
  auto type = request.find(http::field::content_type);
  if (type != request.end() &&
      !std::string_view(type->value().data(), type->value().size()).starts_with("application/json")) {
    return InvalidField("Content-Type", "send application/json");
  }
  absl::Status parsed = partner_json::Parse(request.body(), message);
  if (!parsed.ok())
    return InvalidField("body", absl::StrCat("not a valid request: ", std::string(parsed.message())));
  return absl::OkStatus();
}

absl::Status SetFromQuery(const std::map<std::string, std::string>& query, protobuf::Message* message) {
  for (const auto& [name, value] : query) {
    protobuf::Message* target = message;
    std::string field_name = name;
    if (name == "page_size" || name == "page_token") {
      const protobuf::FieldDescriptor* page = message->GetDescriptor()->FindFieldByName("page");
      if (page == nullptr) return InvalidField(name, absl::StrCat(name, " is not a parameter of this route"));
      target = message->GetReflection()->MutableMessage(message, page);
    }
    const protobuf::FieldDescriptor* field = target->GetDescriptor()->FindFieldByName(field_name);
    if (field == nullptr || field->is_repeated() || field->name() == "partner" ||
        field->cpp_type() == protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      return InvalidField(name, absl::StrCat(name, " is not a parameter of this route"));
    }
    const protobuf::Reflection* reflection = target->GetReflection();
    switch (field->cpp_type()) {
      case protobuf::FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(target, field, value);
        break;
      case protobuf::FieldDescriptor::CPPTYPE_INT32: {
        int32_t number;
        if (!absl::SimpleAtoi(value, &number))
          return InvalidField(name, absl::StrCat(name, " must be a number"));
        reflection->SetInt32(target, field, number);
        break;
      }
      case protobuf::FieldDescriptor::CPPTYPE_INT64: {
        int64_t number;
        if (!absl::SimpleAtoi(value, &number))
          return InvalidField(name, absl::StrCat(name, " must be a number"));
        reflection->SetInt64(target, field, number);
        break;
      }
      case protobuf::FieldDescriptor::CPPTYPE_BOOL:
        if (value != "true" && value != "false")
          return InvalidField(name, absl::StrCat(name, " must be true or false"));
        reflection->SetBool(target, field, value == "true");
        break;
      case protobuf::FieldDescriptor::CPPTYPE_ENUM: {
        const protobuf::EnumValueDescriptor* named = field->enum_type()->FindValueByName(value);
        if (named == nullptr) return InvalidField(name, absl::StrCat(name, " has no value ", value));
        reflection->SetEnum(target, field, named);
        break;
      }
      default:
        return InvalidField(name, absl::StrCat(name, " is not a parameter of this route"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::string>> QueryOf(std::string_view target) {
  size_t question = target.find('?');
  absl::StatusOr<std::map<std::string, std::string>> query = strings::ParseForm(
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1));
  if (!query.ok()) return InvalidField("query", std::string(query.status().message()));
  return query;
}

bool MatchPath(std::string_view pattern, std::string_view path, std::map<std::string, std::string>* params) {
  std::vector<absl::string_view> want =
      absl::StrSplit(absl::string_view(pattern.data(), pattern.size()), '/');
  std::vector<absl::string_view> got = absl::StrSplit(absl::string_view(path.data(), path.size()), '/');
  if (want.size() != got.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!absl::StartsWith(want[i], "{")) {
      if (want[i] != got[i]) return false;
      continue;
    }
    size_t close = want[i].find('}');
    absl::string_view suffix = want[i].substr(close + 1);
    if (got[i].size() <= suffix.size() || !absl::EndsWith(got[i], suffix)) return false;
    absl::StatusOr<std::string> value =
        strings::PercentDecode(std::string_view(got[i].data(), got[i].size() - suffix.size()));
    if (!value.ok()) return false;
    found[std::string(want[i].substr(1, close - 1))] = *value;
  }
  *params = std::move(found);
  return true;
}

std::string HeaderOf(const Request& request, std::string_view name) {
  auto found = request.find(boost::beast::string_view(name.data(), name.size()));
  return found == request.end() ? std::string() : std::string(found->value());
}

}  // namespace onramp::gateway::rest
