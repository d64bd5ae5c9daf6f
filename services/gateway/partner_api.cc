#include "services/gateway/partner_api.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "lib/http_status/http_status.h"
#include "lib/log/log.h"
#include "lib/profile_crypto/digest.h"
#include "lib/status/error_detail.h"
#include "lib/strings/csv.h"
#include "lib/strings/form.h"
#include "lib/strings/strings.h"
#include "services/gateway/openapi.h"

namespace onramp::gateway {

struct PartnerApi::Call {
  const Request& request;
  std::string partner;
  std::map<std::string, std::string> params;  // from the path
  std::map<std::string, std::string> query;
  std::string request_id;

  const std::string& Param(const std::string& name) { return params[name]; }
  std::string Header(std::string_view name) const {
    auto found = request.find(boost::beast::string_view(name.data(), name.size()));
    return found == request.end() ? std::string() : std::string(found->value());
  }
};

namespace {

namespace http = boost::beast::http;
namespace protobuf = google::protobuf;
using status::InvalidField;

constexpr char kPrefix[] = "/api/v1";

Response JsonResponse(http::status status, std::string body) {
  Response response(status, 11);
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.keep_alive(true);
  response.prepare_payload();
  return response;
}

// `retry_after`: the gateway's own wait (a partner over its rate), used
// when the service attached none.
Reply Error(const absl::Status& status, absl::Duration retry_after = absl::Seconds(5)) {
  int code = http_status::ForPartner(status.code());
  if (code >= 500) log::Warn("partner API backend call failed", {{"error", status.ToString()}});
  // A server fault's details are for the logs, not for the caller.
  absl::Status shown = code >= 500 && code != 503 ? absl::Status(status.code(), "internal error") : status;
  Response response = JsonResponse(static_cast<http::status>(code), http_status::ErrorBody(shown));
  if (code == 429 || code == 503) response.set(http::field::retry_after, http_status::RetryAfterSeconds(status, retry_after));
  if (code == 401) response.set(http::field::www_authenticate, "Bearer realm=\"onramp\"");
  return response;
}

Reply Ok(const protobuf::Message& message, http::status status = http::status::ok) {
  std::string json;
  protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return Error(absl::InternalError("reply not representable as JSON"));
  }
  return JsonResponse(status, std::move(json));
}

// The body into `message` (the protobuf JSON mapping; unknown fields are
// errors, so typos do not pass silently). An empty body leaves it empty.
absl::Status ParseJson(const Request& request, protobuf::Message* message) {
  if (request.body().empty()) return absl::OkStatus();
  auto type = request.find(http::field::content_type);
  if (type != request.end() && !std::string_view(type->value().data(), type->value().size()).starts_with("application/json")) {
    return InvalidField("Content-Type", "send application/json");
  }
  protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = protobuf::util::JsonStringToMessage(request.body(), message, options);
  if (!parsed.ok()) return InvalidField("body", absl::StrCat("not a valid request: ", std::string(parsed.message())));
  return absl::OkStatus();
}

// Query parameters into `message`'s scalar fields by name; page_size and
// page_token into its `page`. Unknown names are errors.
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
      case protobuf::FieldDescriptor::CPPTYPE_STRING: reflection->SetString(target, field, value); break;
      case protobuf::FieldDescriptor::CPPTYPE_INT32: {
        int32_t number;
        if (!absl::SimpleAtoi(value, &number)) return InvalidField(name, absl::StrCat(name, " must be a number"));
        reflection->SetInt32(target, field, number);
        break;
      }
      case protobuf::FieldDescriptor::CPPTYPE_INT64: {
        int64_t number;
        if (!absl::SimpleAtoi(value, &number)) return InvalidField(name, absl::StrCat(name, " must be a number"));
        reflection->SetInt64(target, field, number);
        break;
      }
      case protobuf::FieldDescriptor::CPPTYPE_BOOL:
        if (value != "true" && value != "false") return InvalidField(name, absl::StrCat(name, " must be true or false"));
        reflection->SetBool(target, field, value == "true");
        break;
      case protobuf::FieldDescriptor::CPPTYPE_ENUM: {
        const protobuf::EnumValueDescriptor* named = field->enum_type()->FindValueByName(value);
        if (named == nullptr) return InvalidField(name, absl::StrCat(name, " has no value ", value));
        reflection->SetEnum(target, field, named);
        break;
      }
      default: return InvalidField(name, absl::StrCat(name, " is not a parameter of this route"));
    }
  }
  return absl::OkStatus();
}

// A backend's answer as the partner's: the message as JSON, or the error.
template <typename Message>
Reply Respond(const absl::StatusOr<Message>& response, http::status success = http::status::ok) {
  if (!response.ok()) return Error(response.status());
  return Ok(*response, success);
}

// The query string of `target` as name -> value; a bad one names "query".
absl::StatusOr<std::map<std::string, std::string>> QueryOf(std::string_view target) {
  size_t question = target.find('?');
  absl::StatusOr<std::map<std::string, std::string>> query =
      strings::ParseForm(question == std::string_view::npos ? std::string_view() : target.substr(question + 1));
  if (!query.ok()) return InvalidField("query", std::string(query.status().message()));
  return query;
}

// Whether `path` fits `pattern`, collecting {placeholders}; a pattern
// segment "{name}:verb" takes a path segment ending in ":verb".
bool Match(std::string_view pattern, std::string_view path, std::map<std::string, std::string>* params) {
  std::vector<absl::string_view> want = absl::StrSplit(absl::string_view(pattern.data(), pattern.size()), '/');
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

}  // namespace

const std::vector<PartnerApi::Route>& PartnerApi::Routes() {
  static const std::vector<Route> routes = {
      {"POST", "/api/v1/activation-codes", &PartnerApi::CreateCodes},
      {"GET", "/api/v1/activation-codes", &PartnerApi::ListCodes},
      {"GET", "/api/v1/activation-codes/{id}", &PartnerApi::GetCode},
      {"POST", "/api/v1/activation-codes/{id}:revoke", &PartnerApi::RevokeCode},
      {"POST", "/api/v1/devices:claim", &PartnerApi::ClaimDevices},
      {"GET", "/api/v1/devices", &PartnerApi::ListDevices},
      {"GET", "/api/v1/devices/{mac}", &PartnerApi::GetDevice},
      {"POST", "/api/v1/devices/{mac}:release", &PartnerApi::ReleaseDevice},
      {"GET", "/api/v1/devices/{mac}/timeline", &PartnerApi::DeviceTimeline},
      {"GET", "/api/v1/devices/{mac}/preview", &PartnerApi::PreviewProfile},
      {"GET", "/api/v1/devices/{mac}/diff", &PartnerApi::DiffProfile},
      {"POST", "/api/v1/redirect-profiles", &PartnerApi::CreateRedirectProfile},
      {"GET", "/api/v1/redirect-profiles", &PartnerApi::ListRedirectProfiles},
      {"GET", "/api/v1/redirect-profiles/{id}", &PartnerApi::GetRedirectProfile},
      {"DELETE", "/api/v1/redirect-profiles/{id}", &PartnerApi::DeleteRedirectProfile},
      {"GET", "/api/v1/layers", &PartnerApi::ListLayers},
      {"PUT", "/api/v1/layers/{scope}/{key}", &PartnerApi::PutLayer},
      {"GET", "/api/v1/layers/{scope}/{key}", &PartnerApi::GetLayer},
      {"DELETE", "/api/v1/layers/{scope}/{key}", &PartnerApi::DeleteLayer},
      {"PUT", "/api/v1/http-auth", &PartnerApi::PutHttpAuth},
      {"DELETE", "/api/v1/http-auth", &PartnerApi::DeleteHttpAuth},
      {"GET", "/api/v1/firmware", &PartnerApi::ListFirmware},
      {"POST", "/api/v1/firmware", nullptr},
      {"POST", "/api/v1/rollouts", &PartnerApi::CreateRollout},
      {"GET", "/api/v1/rollouts/{id}", &PartnerApi::GetRollout},
      {"POST", "/api/v1/rollouts/{id}:pause", &PartnerApi::PauseRollout},
      {"POST", "/api/v1/rollouts/{id}:resume", &PartnerApi::ResumeRollout},
      {"POST", "/api/v1/rollouts/{id}:abort", &PartnerApi::AbortRollout},
  };
  return routes;
}

PartnerApi::PartnerApi(clients::ActivationCodes& codes, clients::DeviceActivation& devices,
                       clients::ProfileRender& profiles, clients::FirmwareCatalog& firmware,
                       PartnerApiOptions options)
    : codes_(codes), devices_(devices), profiles_(profiles), firmware_(firmware), options_(options) {
  if (options_.partner_rate > 0) {
    per_partner_ = std::make_unique<rate_limit::TokenBuckets>(
        rate_limit::TokenBuckets::Options{.rate_per_second = options_.partner_rate, .burst = options_.partner_burst});
  }
}

bool PartnerApi::Owns(std::string_view target) {
  std::string_view prefix = kPrefix;
  if (!target.starts_with(prefix)) return false;
  return target.size() == prefix.size() || target[prefix.size()] == '/' || target[prefix.size()] == '?';
}

absl::StatusOr<std::string> PartnerApi::Authenticate(const Request& request, const std::string& request_id) {
  auto header = request.find(http::field::authorization);
  constexpr std::string_view kScheme = "Bearer ";
  std::string_view value = header == request.end()
                               ? std::string_view()
                               : std::string_view(header->value().data(), header->value().size());
  if (!value.starts_with(kScheme)) {
    return absl::UnauthenticatedError("send the API key as Authorization: Bearer <key>");
  }
  std::string token(value.substr(kScheme.size()));
  std::string digest = profile_crypto::Sha256Hex(token);
  absl::Time now = absl::Now();
  {
    std::lock_guard lock(keys_mutex_);
    if (auto known = keys_.find(digest); known != keys_.end() && known->second.expires > now) {
      return known->second.partner;
    }
  }
  absl::StatusOr<device::v1::ApiKey> key = devices_.AuthenticateApiKey(token, request_id);
  if (!key.ok()) return key.status();
  std::lock_guard lock(keys_mutex_);
  if (keys_.size() >= options_.key_cache_entries) keys_.clear();  // rare: start over rather than grow
  keys_[digest] = KnownKey{.partner = key->partner(), .expires = now + options_.key_cache};
  return key->partner();
}

absl::StatusOr<std::string> PartnerApi::Admit(const Request& request, const Peer& peer,
                                              const std::string& request_id, absl::Duration* retry_after) {
  if (!peer.tls) return absl::PermissionDeniedError("the partner API is served over HTTPS only");
  absl::StatusOr<std::string> partner = Authenticate(request, request_id);
  if (!partner.ok()) return partner.status();
  if (per_partner_ != nullptr) {
    if (std::optional<absl::Duration> wait = per_partner_->Take(*partner)) {
      *retry_after = *wait;
      return absl::ResourceExhaustedError("this partner's request rate is exceeded");
    }
  }
  return partner;
}

Reply PartnerApi::Handle(const Request& request, const Peer& peer, const std::string& request_id) {
  std::string_view target(request.target().data(), request.target().size());
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  if (path == "/api/v1/openapi.json" && request.method() == http::verb::get) {
    return JsonResponse(http::status::ok, std::string(OpenApiDocument()));
  }
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  bool path_known = false;
  for (const Route& candidate : Routes()) {
    std::map<std::string, std::string> found;
    if (!Match(candidate.path, path, &found)) continue;
    path_known = true;
    if (request.method_string() == candidate.method) {
      route = &candidate;
      params = std::move(found);
      break;
    }
  }
  if (route == nullptr) {
    if (!path_known) return Error(absl::NotFoundError("no such API path"));
    return JsonResponse(http::status::method_not_allowed,
                        http_status::ErrorBody(absl::UnimplementedError("method not allowed on this path")));
  }
  absl::Duration retry_after = absl::Seconds(5);
  absl::StatusOr<std::string> partner = Admit(request, peer, request_id, &retry_after);
  if (!partner.ok()) return Error(partner.status(), retry_after);
  if (route->handle == nullptr) {
    return Error(absl::UnimplementedError("this listener does not take streamed uploads"));
  }
  absl::StatusOr<std::map<std::string, std::string>> query = QueryOf(target);
  if (!query.ok()) return Error(query.status());
  Call call{.request = request,
            .partner = *partner,
            .params = std::move(params),
            .query = *std::move(query),
            .request_id = request_id};
  return (this->*route->handle)(call);
}

namespace {

// An image upload's bytes, on to firmware-catalog as they come.
class FirmwareUpload : public BodySink {
 public:
  explicit FirmwareUpload(std::unique_ptr<clients::ImageWriter> writer) : writer_(std::move(writer)) {}

  absl::Status Write(std::string_view piece) override {
    if (!writer_->Write(piece)) return absl::AbortedError("firmware-catalog ended the upload");
    return absl::OkStatus();
  }
  Reply Finish() override {
    absl::StatusOr<firmware::v1::Image> image = writer_->Finish();
    if (!image.ok()) return Error(image.status());
    return Ok(*image, http::status::created);
  }

 private:
  std::unique_ptr<clients::ImageWriter> writer_;
};

}  // namespace

UploadStart PartnerApi::StartUpload(const Request& head, const Peer& peer, const std::string& request_id) {
  std::string_view target(head.target().data(), head.target().size());
  size_t question = target.find('?');
  UploadStart start;
  if (head.method() != http::verb::post || target.substr(0, question) != "/api/v1/firmware") return start;
  absl::Duration retry_after = absl::Seconds(5);
  auto refuse = [&start, &retry_after](const absl::Status& status) {
    start.refusal = std::make_unique<Reply>(Error(status, retry_after));
    return std::move(start);
  };
  absl::StatusOr<std::string> partner = Admit(head, peer, request_id, &retry_after);
  if (!partner.ok()) return refuse(partner.status());
  absl::StatusOr<std::map<std::string, std::string>> query = QueryOf(target);
  if (!query.ok()) return refuse(query.status());
  firmware::v1::ImageMetadata metadata;
  for (const auto& [name, value] : *query) {
    if (name == "file_name") {
      metadata.set_file_name(value);
    } else if (name == "sha256") {
      metadata.set_sha256(value);
    } else if (name == "models") {
      for (absl::string_view model : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        metadata.add_models(std::string(model));
      }
    } else {
      return refuse(InvalidField(name, absl::StrCat(name, " is not a parameter of this route")));
    }
  }
  int64_t size = 0;
  auto length = head.find(http::field::content_length);
  if (length == head.end() || !absl::SimpleAtoi(absl::string_view(length->value().data(), length->value().size()), &size)) {
    return refuse(InvalidField("Content-Length", "send the image with its Content-Length"));
  }
  metadata.set_size(size);
  absl::StatusOr<std::unique_ptr<clients::ImageWriter>> writer = firmware_.RegisterImage(metadata, request_id);
  if (!writer.ok()) return refuse(writer.status());
  start.sink = std::make_unique<FirmwareUpload>(*std::move(writer));
  return start;
}

// --- activation codes ------------------------------------------------------

Reply PartnerApi::CreateCodes(Call& call) {
  activation::v1::CreateCodesRequest request;
  if (absl::Status parsed = ParseJson(call.request, &request); !parsed.ok()) return Error(parsed);
  request.set_partner(call.partner);
  // Idempotency-Key makes a retried create safe; without one every call
  // is a new batch.
  std::string key = call.Header("Idempotency-Key");
  if (key.empty()) key = absl::StrCat("request-", call.request_id);
  request.set_idempotency_key(key);
  return Respond(codes_.CreateCodes(request, call.request_id), http::status::created);
}

Reply PartnerApi::ListCodes(Call& call) {
  activation::v1::ListCodesRequest request;
  if (absl::Status set = SetFromQuery(call.query, &request); !set.ok()) return Error(set);
  request.set_partner(call.partner);
  return Respond(codes_.ListCodes(request, call.request_id));
}

Reply PartnerApi::GetCode(Call& call) {
  activation::v1::GetCodeRequest request;
  request.set_partner(call.partner);
  request.set_id(call.Param("id"));
  return Respond(codes_.GetCode(request, call.request_id));
}

Reply PartnerApi::RevokeCode(Call& call) {
  activation::v1::RevokeCodeRequest request;
  request.set_partner(call.partner);
  request.set_id(call.Param("id"));
  return Respond(codes_.RevokeCode(request, call.request_id));
}

// --- devices ----------------------------------------------------------------

namespace {

// A CSV upload (header row naming mac, model, serial in any order) as the
// claim's devices.
absl::Status DevicesFromCsv(const std::string& body, device::v1::ClaimDevicesRequest* request) {
  absl::StatusOr<std::vector<strings::CsvRecord>> records = strings::ParseCsv(body);
  if (!records.ok()) return InvalidField("body", std::string(records.status().message()));
  if (records->empty()) return InvalidField("body", "the CSV has no header row");
  std::map<std::string, size_t> column;
  const strings::CsvRecord& header = records->front();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name(strings::FromAbsl(absl::StripAsciiWhitespace(header.fields[i])));
    if (name != "mac" && name != "model" && name != "serial") {
      return InvalidField("body", absl::StrCat("line 1: unknown column \"", name, "\" (mac, model, serial)"));
    }
    column[name] = i;
  }
  if (!column.contains("mac")) return InvalidField("body", "line 1: a mac column is required");
  for (size_t r = 1; r < records->size(); ++r) {
    const strings::CsvRecord& record = (*records)[r];
    if (record.fields.size() != header.fields.size()) {
      return InvalidField("body", absl::StrCat("line ", record.line, ": ", record.fields.size(), " fields, the header has ",
                                               header.fields.size()));
    }
    device::v1::DeviceRow* row = request->add_devices();
    auto cell = [&](const char* name) {
      auto found = column.find(name);
      return found == column.end() ? std::string() : record.fields[found->second];
    };
    row->mutable_mac()->set_value(cell("mac"));
    row->set_model(cell("model"));
    row->set_serial(cell("serial"));
  }
  return absl::OkStatus();
}

}  // namespace

Reply PartnerApi::ClaimDevices(Call& call) {
  device::v1::ClaimDevicesRequest request;
  std::string type = call.Header("Content-Type");
  if (type.starts_with("text/csv")) {
    // The redirect comes from the query: profile_rule or redirect_profile_id.
    for (const auto& [name, value] : call.query) {
      if (name == "profile_rule") {
        request.mutable_target()->set_profile_rule(value);
      } else if (name == "redirect_profile_id") {
        request.set_redirect_profile_id(value);
      } else if (name == "trust") {
        device::v1::DeviceTrust trust;
        if (!device::v1::DeviceTrust_Parse(value, &trust)) {
          return Error(InvalidField("trust", "trust is DEVICE_TRUST_FACTORY_CERTIFICATE or DEVICE_TRUST_MAC_ONLY"));
        }
        request.set_trust(trust);
      } else {
        return Error(InvalidField(name, absl::StrCat(name, " is not a parameter of this route")));
      }
    }
    if (absl::Status rows = DevicesFromCsv(call.request.body(), &request); !rows.ok()) return Error(rows);
  } else if (absl::Status parsed = ParseJson(call.request, &request); !parsed.ok()) {
    return Error(parsed);
  }
  request.set_partner(call.partner);
  std::string key = call.Header("Idempotency-Key");
  if (key.empty()) key = absl::StrCat("request-", call.request_id);
  request.set_idempotency_key(key);
  return Respond(devices_.ClaimDevices(request, call.request_id));
}

Reply PartnerApi::ListDevices(Call& call) {
  device::v1::ListDevicesRequest request;
  if (absl::Status set = SetFromQuery(call.query, &request); !set.ok()) return Error(set);
  request.set_partner(call.partner);
  return Respond(devices_.ListDevices(request, call.request_id));
}

namespace {

device::v1::DeviceRequest DeviceRequestOf(const std::string& partner, const std::string& mac) {
  device::v1::DeviceRequest request;
  request.set_partner(partner);
  request.mutable_mac()->set_value(mac);
  return request;
}

}  // namespace

Reply PartnerApi::GetDevice(Call& call) {
  return Respond(devices_.GetDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id));
}

Reply PartnerApi::ReleaseDevice(Call& call) {
  return Respond(devices_.ReleaseDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id));
}

Reply PartnerApi::DeviceTimeline(Call& call) {
  return Respond(devices_.GetTimeline(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id));
}

absl::Status PartnerApi::CheckOwnsDevice(Call& call) {
  return devices_.GetDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id).status();
}

Reply PartnerApi::PreviewProfile(Call& call) {
  profile::v1::PreviewRequest request;
  if (absl::Status set = SetFromQuery(call.query, &request); !set.ok()) return Error(set);
  if (absl::Status owned = CheckOwnsDevice(call); !owned.ok()) return Error(owned);
  request.set_partner(call.partner);
  request.mutable_mac()->set_value(call.Param("mac"));
  return Respond(profiles_.Preview(request, call.request_id));
}

Reply PartnerApi::DiffProfile(Call& call) {
  profile::v1::PreviewRequest request;
  if (absl::Status set = SetFromQuery(call.query, &request); !set.ok()) return Error(set);
  if (absl::Status owned = CheckOwnsDevice(call); !owned.ok()) return Error(owned);
  request.set_partner(call.partner);
  request.mutable_mac()->set_value(call.Param("mac"));
  return Respond(profiles_.Diff(request, call.request_id));
}

Reply PartnerApi::CreateRedirectProfile(Call& call) {
  device::v1::CreateRedirectProfileRequest request;
  if (absl::Status parsed = ParseJson(call.request, &request); !parsed.ok()) return Error(parsed);
  request.set_partner(call.partner);
  // The name is the natural key: a retried create is ALREADY_EXISTS (409).
  return Respond(devices_.CreateRedirectProfile(request, call.request_id), http::status::created);
}

Reply PartnerApi::ListRedirectProfiles(Call& call) {
  device::v1::ListRedirectProfilesRequest request;
  if (absl::Status set = SetFromQuery(call.query, &request); !set.ok()) return Error(set);
  request.set_partner(call.partner);
  return Respond(devices_.ListRedirectProfiles(request, call.request_id));
}

namespace {

device::v1::RedirectProfileRef RedirectProfileRefOf(const std::string& partner, const std::string& id) {
  device::v1::RedirectProfileRef ref;
  ref.set_partner(partner);
  ref.set_id(id);
  return ref;
}

}  // namespace

Reply PartnerApi::GetRedirectProfile(Call& call) {
  return Respond(devices_.GetRedirectProfile(RedirectProfileRefOf(call.partner, call.Param("id")), call.request_id));
}

Reply PartnerApi::DeleteRedirectProfile(Call& call) {
  return Respond(devices_.DeleteRedirectProfile(RedirectProfileRefOf(call.partner, call.Param("id")), call.request_id));
}

// --- profile layers ---------------------------------------------------------

namespace {

// {scope}/{key} of a partner's layer: "partner/-", "site/<name>" or
// "device/<mac>".
absl::StatusOr<profile::v1::LayerRef> LayerRefOf(const std::string& partner, const std::string& scope,
                                                 const std::string& key) {
  profile::v1::LayerRef ref;
  ref.set_partner(partner);
  if (scope == "partner" && key == "-") {
    ref.set_scope(profile::v1::SCOPE_PARTNER);
  } else if (scope == "site") {
    ref.set_scope(profile::v1::SCOPE_SITE);
    ref.set_key(key);
  } else if (scope == "device") {
    ref.set_scope(profile::v1::SCOPE_DEVICE);
    ref.set_key(key);
  } else {
    return InvalidField("scope", "a partner's layers are partner/-, site/<name> or device/<mac>");
  }
  return ref;
}

}  // namespace

Reply PartnerApi::ListLayers(Call& call) {
  profile::v1::ListLayersRequest request;
  if (absl::Status set = SetFromQuery(call.query, &request); !set.ok()) return Error(set);
  request.set_partner(call.partner);
  return Respond(profiles_.ListLayers(request, call.request_id));
}

Reply PartnerApi::PutLayer(Call& call) {
  profile::v1::PutLayerRequest request;
  if (absl::Status parsed = ParseJson(call.request, &request); !parsed.ok()) return Error(parsed);
  absl::StatusOr<profile::v1::LayerRef> ref = LayerRefOf(call.partner, call.Param("scope"), call.Param("key"));
  if (!ref.ok()) return Error(ref.status());
  if (ref->scope() == profile::v1::SCOPE_DEVICE) {
    call.params["mac"] = ref->key();
    if (absl::Status owned = CheckOwnsDevice(call); !owned.ok()) return Error(owned);
  }
  *request.mutable_ref() = *ref;
  // if_version makes the write conditional, so a retry cannot apply twice.
  absl::StatusOr<profile::v1::Layer> written = profiles_.PutLayer(request, call.request_id);
  if (!written.ok()) return Error(written.status());
  if (ref->scope() == profile::v1::SCOPE_DEVICE) {
    // A release may have come between the check and the write (the same
    // partner's, in flight at once): then the layer it just wrote must not
    // stand for the phone's next owner.
    if (absl::Status still = CheckOwnsDevice(call); !still.ok()) {
      profile::v1::DeleteLayerRequest undo;
      *undo.mutable_ref() = *ref;
      undo.set_if_version(written->version());
      absl::Status undone = profiles_.DeleteLayer(undo, call.request_id).status();
      if (!undone.ok()) log::Warn("a released phone's layer could not be undone", {{"error", undone.ToString()}});
      return Error(still);
    }
  }
  return Ok(*written);
}

Reply PartnerApi::GetLayer(Call& call) {
  absl::StatusOr<profile::v1::LayerRef> ref = LayerRefOf(call.partner, call.Param("scope"), call.Param("key"));
  if (!ref.ok()) return Error(ref.status());
  return Respond(profiles_.GetLayer(*ref, call.request_id));
}

Reply PartnerApi::DeleteLayer(Call& call) {
  profile::v1::DeleteLayerRequest request;
  if (absl::Status set = SetFromQuery(call.query, &request); !set.ok()) return Error(set);
  absl::StatusOr<profile::v1::LayerRef> ref = LayerRefOf(call.partner, call.Param("scope"), call.Param("key"));
  if (!ref.ok()) return Error(ref.status());
  *request.mutable_ref() = *ref;
  return Respond(profiles_.DeleteLayer(request, call.request_id));
}

Reply PartnerApi::PutHttpAuth(Call& call) {
  profile::v1::PutHttpAuthRequest request;
  if (absl::Status parsed = ParseJson(call.request, &request); !parsed.ok()) return Error(parsed);
  request.set_partner(call.partner);
  return Respond(profiles_.PutHttpAuth(request, call.request_id));
}

Reply PartnerApi::DeleteHttpAuth(Call& call) {
  profile::v1::DeleteHttpAuthRequest request;
  request.set_partner(call.partner);
  return Respond(profiles_.DeleteHttpAuth(request, call.request_id));
}

// --- firmware and rollouts --------------------------------------------------

Reply PartnerApi::ListFirmware(Call& call) {
  firmware::v1::ListImagesRequest request;
  if (absl::Status set = SetFromQuery(call.query, &request); !set.ok()) return Error(set);
  return Respond(firmware_.ListImages(request, call.request_id));
}

Reply PartnerApi::CreateRollout(Call& call) {
  firmware::v1::CreateRolloutRequest request;
  if (absl::Status parsed = ParseJson(call.request, &request); !parsed.ok()) return Error(parsed);
  request.set_partner(call.partner);
  std::string key = call.Header("Idempotency-Key");
  if (!key.empty()) request.set_idempotency_key(key);
  return Respond(firmware_.CreateRollout(request, call.request_id), http::status::created);
}

namespace {

firmware::v1::RolloutRef RolloutRefOf(const std::string& partner, const std::string& id) {
  firmware::v1::RolloutRef ref;
  ref.set_partner(partner);
  ref.set_id(id);
  return ref;
}

}  // namespace

Reply PartnerApi::GetRollout(Call& call) {
  return Respond(firmware_.GetRollout(RolloutRefOf(call.partner, call.Param("id")), call.request_id));
}

Reply PartnerApi::PauseRollout(Call& call) {
  return Respond(firmware_.PauseRollout(RolloutRefOf(call.partner, call.Param("id")), call.request_id));
}

Reply PartnerApi::ResumeRollout(Call& call) {
  return Respond(firmware_.ResumeRollout(RolloutRefOf(call.partner, call.Param("id")), call.request_id));
}

Reply PartnerApi::AbortRollout(Call& call) {
  return Respond(firmware_.AbortRollout(RolloutRefOf(call.partner, call.Param("id")), call.request_id));
}

}  // namespace onramp::gateway
