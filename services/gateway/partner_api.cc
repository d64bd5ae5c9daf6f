#include "services/gateway/partner_api.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/http/status/http_status.h"
#include "lib/kit/log/log.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/bulk_csv/bulk_csv.h"
#include "services/gateway/openapi.h"
#include "services/gateway/rest.h"

namespace onramp::gateway {

struct PartnerApi::Call {
  const Request& request;
  std::string partner;
  std::map<std::string, std::string> params;  // from the path
  std::map<std::string, std::string> query;
  std::string request_id;

  const std::string& Param(const std::string& name) { return params[name]; }
  std::string Header(std::string_view name) const { return rest::HeaderOf(request, name); }
  // The Idempotency-Key that makes a retried create safe; without one the
  // request id stands in, so only this request's own retries repeat it.
  std::string IdempotencyKey() const {
    std::string key = Header("Idempotency-Key");
    return key.empty() ? absl::StrCat("request-", request_id) : key;
  }
};

namespace {

namespace http = boost::beast::http;
using status::InvalidField;

constexpr char kPrefix[] = "/api/v1";

}  // namespace

const std::vector<PartnerApi::Route>& PartnerApi::Routes() {
  using activation::v1::ActivationCode;
  using openapi::Body;
  namespace activation = activation::v1;
  namespace device = device::v1;
  namespace firmware = firmware::v1;
  namespace acs = acs::v1;
  namespace profile = profile::v1;
  static const std::vector<Route> routes = {
      {&PartnerApi::CreateCodes,
       {.method = "POST", .path = "/api/v1/activation-codes", .id = "createCodes",
        .summary = "Create activation codes; the digits are shown once.",
        .input = activation::CreateCodesRequest::descriptor(),
        .output = activation::CreateCodesResponse::descriptor(), .body = Body::kJson, .success = 201,
        .takes_idempotency_key = true,
        .example = R"({"count": 10, "expires_in": "604800s", "constraints": {"model": "CP-8851-3PCC"},
                       "target": {"profile_rule": "https://prov.example.com/$MA.xml"}})"}},
      {&PartnerApi::ListCodes,
       {.method = "GET", .path = "/api/v1/activation-codes", .id = "listCodes", .summary = "The partner's codes.",
        .input = activation::ListCodesRequest::descriptor(), .output = activation::ListCodesResponse::descriptor()}},
      {&PartnerApi::GetCode,
       {.method = "GET", .path = "/api/v1/activation-codes/{id}", .id = "getCode",
        .summary = "One code (never its digits).", .output = ActivationCode::descriptor()}},
      {&PartnerApi::RevokeCode,
       {.method = "POST", .path = "/api/v1/activation-codes/{id}:revoke", .id = "revokeCode",
        .summary = "Revoke an unused code.", .output = ActivationCode::descriptor()}},
      {&PartnerApi::ClaimDevices,
       {.method = "POST", .path = "/api/v1/devices:claim", .id = "claimDevices",
        .summary = "Claim up to 10,000 phones, with a result per row (JSON, or CSV with a header row naming "
                   "mac, model and serial columns).",
        .input = device::ClaimDevicesRequest::descriptor(), .output = device::ClaimDevicesResponse::descriptor(),
        .body = Body::kJsonOrCsv,
        .query = {{"profile_rule", "CSV uploads: the Profile_Rule the phones are sent to."},
                  {"redirect_profile_id", "CSV uploads: a redirect profile instead."},
                  {"trust", "CSV uploads: DEVICE_TRUST_FACTORY_CERTIFICATE (default) or DEVICE_TRUST_MAC_ONLY, "
                            "for old phones without a factory certificate (weaker: docs/TRUST.md)."}},
        .takes_idempotency_key = true,
        .example = R"({"devices": [{"mac": "000e08aabbcc", "model": "CP-8851-3PCC", "serial": "FCH1"}],
                       "target": {"profile_rule": "https://prov.example.com/$MA.xml"}})"}},
      {&PartnerApi::AssignSites,
       {.method = "POST", .path = "/api/v1/devices:assign-sites", .id = "assignSites",
        .summary = "Put up to 10,000 phones into sites, with a result per row (JSON, or CSV with a header row "
                   "naming mac and site columns; an empty site takes a phone out of its site). A phone's site "
                   "layer then applies to it.",
        .input = profile::AssignSitesRequest::descriptor(), .output = profile::AssignSitesResponse::descriptor(),
        .body = Body::kJsonOrCsv,
        .example = R"({"assignments": [{"mac": "000e08aabbcc", "site": "lisbon"},
                                       {"mac": "000e08aabbcd", "site": "porto"}]})"}},
      {&PartnerApi::ListDevices,
       {.method = "GET", .path = "/api/v1/devices", .id = "listDevices",
        .summary = "The partner's phones, each with its site and what it last did (activity); a page may hold "
                   "fewer phones than asked when filtered by site.",
        .input = device::ListDevicesRequest::descriptor(), .output = device::ListDevicesResponse::descriptor(),
        .query = {{"site", "Only the phones in this site."}}}},
      {&PartnerApi::SummarizeDevices,
       {.method = "GET", .path = "/api/v1/devices:summary", .id = "summarizeDevices",
        .summary = "How far the partner's phones have come: claimed, redirected, registered, acquired (each "
                   "count includes the phones that went further).",
        .output = device::DeviceSummary::descriptor()}},
      {&PartnerApi::GetDevice,
       {.method = "GET", .path = "/api/v1/devices/{mac}", .id = "getDevice",
        .summary = "One claimed phone: its onboarding state, its site and what it last did (activity: last "
                   "contact, the firmware it runs, its last report).",
        .output = device::Device::descriptor()}},
      {&PartnerApi::RotateDeviceKey,
       {.method = "POST", .path = "/api/v1/devices/{mac}:rotate-key", .id = "rotateDeviceKey",
        .summary = "A new profile key for the phone; it reaches the phone in its next proven onboarding answer, "
                   "and until then its profiles stay encrypted with the key it holds.",
        .output = profile::DeviceKey::descriptor()}},
      {&PartnerApi::UpgradePlan,
       {.method = "GET", .path = "/api/v1/devices/{mac}/upgrade-plan", .id = "getUpgradePlan",
        .summary = "What the phone will upgrade to next, from the firmware it last said it runs (or "
                   "current_version).",
        .input = firmware::PlanUpgradeRequest::descriptor(), .output = firmware::PlanUpgradeResponse::descriptor(),
        .set_by_gateway = {"mac", "model"}}},
      {&PartnerApi::ReleaseDevice,
       {.method = "POST", .path = "/api/v1/devices/{mac}:release", .id = "releaseDevice",
        .summary = "Give up a claim: the phone's key, registrations and device layer go.",
        .output = device::Device::descriptor()}},
      {&PartnerApi::DeviceTimeline,
       {.method = "GET", .path = "/api/v1/devices/{mac}/timeline", .id = "getTimeline",
        .summary = "What the phone did since the partner claimed it.", .output = device::Timeline::descriptor()}},
      {&PartnerApi::DeviceLogs,
       {.method = "GET", .path = "/api/v1/devices/{mac}/logs", .id = "listDeviceLogs",
        .summary = "The phone's syslog lines (sent to the fleet's syslog intake; the newest 500 are kept), "
                   "oldest first. Syslog proves nothing: anyone may send a line naming a MAC.",
        .input = device::ListLogsRequest::descriptor(), .output = device::ListLogsResponse::descriptor(),
        .set_by_gateway = {"mac"}}},
      {&PartnerApi::CreateTask,
       {.method = "POST", .path = "/api/v1/devices/{mac}/tasks", .id = "createTask",
        .summary = "A TR-069 task for the phone (read or set parameters, reboot, factory reset, download a "
                   "configuration file), run in its next session with the ACS, in order after its profile and "
                   "firmware; with connection_request the ACS asks the phone for that session now.",
        .input = acs::CreateTaskRequest::descriptor(), .output = acs::Task::descriptor(), .body = Body::kJson,
        .success = 201, .set_by_gateway = {"mac"}, .takes_idempotency_key = true,
        .example = R"({"kind": "TASK_KIND_GET_PARAMETER_VALUES", "names": ["Device.DeviceInfo."],
                       "connection_request": true})"}},
      {&PartnerApi::ListTasks,
       {.method = "GET", .path = "/api/v1/devices/{mac}/tasks", .id = "listTasks",
        .summary = "The phone's TR-069 tasks, newest first, with their results or faults.",
        .input = acs::ListTasksRequest::descriptor(), .output = acs::ListTasksResponse::descriptor(),
        .set_by_gateway = {"mac"}}},
      {&PartnerApi::GetTask,
       {.method = "GET", .path = "/api/v1/tasks/{id}", .id = "getTask",
        .summary = "One TR-069 task: queued, sent, done (with what the phone answered) or failed (its fault).",
        .output = acs::Task::descriptor()}},
      {&PartnerApi::PreviewProfile,
       {.method = "GET", .path = "/api/v1/devices/{mac}/preview", .id = "previewProfile",
        .summary = "The profile the phone would get now; secrets masked unless reveal_secrets.",
        .input = profile::PreviewRequest::descriptor(), .output = profile::PreviewResponse::descriptor(),
        .set_by_gateway = {"mac"}}},
      {&PartnerApi::DiffProfile,
       {.method = "GET", .path = "/api/v1/devices/{mac}/diff", .id = "diffProfile",
        .summary = "What changed since the profile last delivered to the phone.",
        .input = profile::PreviewRequest::descriptor(), .output = profile::DiffResponse::descriptor(),
        .set_by_gateway = {"mac"}}},
      {&PartnerApi::CreateRedirectProfile,
       {.method = "POST", .path = "/api/v1/redirect-profiles", .id = "createRedirectProfile",
        .summary = "A named redirect target; a name of 3-16 digits is a short activation code.",
        .input = device::CreateRedirectProfileRequest::descriptor(),
        .output = device::RedirectProfile::descriptor(), .body = Body::kJson, .success = 201,
        .example = R"({"name": "hq-phones", "target": {"profile_rule": "https://prov.example.com/$MA.xml"}})"}},
      {&PartnerApi::ListRedirectProfiles,
       {.method = "GET", .path = "/api/v1/redirect-profiles", .id = "listRedirectProfiles",
        .summary = "The partner's redirect profiles and short codes, by name.",
        .input = device::ListRedirectProfilesRequest::descriptor(),
        .output = device::ListRedirectProfilesResponse::descriptor()}},
      {&PartnerApi::GetRedirectProfile,
       {.method = "GET", .path = "/api/v1/redirect-profiles/{id}", .id = "getRedirectProfile",
        .summary = "One redirect profile.", .output = device::RedirectProfile::descriptor()}},
      {&PartnerApi::DeleteRedirectProfile,
       {.method = "DELETE", .path = "/api/v1/redirect-profiles/{id}", .id = "deleteRedirectProfile",
        .summary = "Delete a redirect profile no phone is claimed with (412 otherwise).",
        .output = device::RedirectProfile::descriptor()}},
      {&PartnerApi::ListLayers,
       {.method = "GET", .path = "/api/v1/layers", .id = "listLayers", .summary = "The partner's parameter layers.",
        .input = profile::ListLayersRequest::descriptor(), .output = profile::ListLayersResponse::descriptor()}},
      {&PartnerApi::PutLayer,
       {.method = "PUT", .path = "/api/v1/layers/{scope}/{key}", .id = "putLayer",
        .summary = "Create or replace a layer: partner/-, model/<PN>, site/<name> or device/<mac>. if_version 0 "
                   "creates; "
                   "otherwise the layer must be at that version (409 when stale).",
        .input = profile::PutLayerRequest::descriptor(), .output = profile::Layer::descriptor(),
        .body = Body::kJson, .set_by_gateway = {"ref"},
        .example = R"({"if_version": "0", "parameters": [{"name": "Proxy_1_", "value": "sip.example.com"},
                       {"name": "Password_1_", "value": "s3cret", "secret": true}]})"}},
      {&PartnerApi::SetParameters,
       {.method = "POST", .path = "/api/v1/layers/{scope}/{key}:set-parameters", .id = "setParameters",
        .summary = "Set and remove named parameters of the partner's layer (partner/-, model/<PN> or "
                   "site/<name>), keeping the rest: one call changes a parameter for every phone of a site, a "
                   "model, or the partner. The layer is made if missing.",
        .input = profile::SetParametersRequest::descriptor(), .output = profile::Layer::descriptor(),
        .body = Body::kJson, .set_by_gateway = {"ref"},
        .example = R"({"parameters": [{"name": "Time_Zone", "value": "GMT+1"}], "remove": ["Station_Name"]})"}},
      {&PartnerApi::GetLayer,
       {.method = "GET", .path = "/api/v1/layers/{scope}/{key}", .id = "getLayer", .summary = "One layer.",
        .output = profile::Layer::descriptor()}},
      {&PartnerApi::DeleteLayer,
       {.method = "DELETE", .path = "/api/v1/layers/{scope}/{key}", .id = "deleteLayer",
        .summary = "Delete a layer at a version.", .input = profile::DeleteLayerRequest::descriptor(),
        .output = profile::DeleteLayerResponse::descriptor(), .set_by_gateway = {"ref"}}},
      {&PartnerApi::PutHttpAuth,
       {.method = "PUT", .path = "/api/v1/http-auth", .id = "putHttpAuth",
        .summary = "Require HTTP authentication (Basic or Digest) for all of the partner's profiles.",
        .input = profile::PutHttpAuthRequest::descriptor(), .output = profile::HttpAuth::descriptor(),
        .body = Body::kJson,
        .example = R"({"realm": "provisioning", "username": "phones", "password": "s3cret"})"}},
      {&PartnerApi::DeleteHttpAuth,
       {.method = "DELETE", .path = "/api/v1/http-auth", .id = "deleteHttpAuth",
        .summary = "Stop requiring HTTP authentication.", .output = profile::DeleteHttpAuthResponse::descriptor()}},
      {&PartnerApi::ListFirmware,
       {.method = "GET", .path = "/api/v1/firmware", .id = "listFirmware",
        .summary = "Firmware images in the catalog, in the vendor's version order.",
        .input = firmware::ListImagesRequest::descriptor(), .output = firmware::ListImagesResponse::descriptor()}},
      {nullptr,
       {.method = "POST", .path = "/api/v1/firmware", .id = "registerFirmware",
        .summary = "Upload a firmware image, streamed to the catalog as it arrives.",
        .output = firmware::Image::descriptor(), .body = Body::kBytes, .success = 201,
        .query = {{"file_name", "The vendor's name, e.g. sip88xx.12-0-1MPP0001-245.loads", true},
                  {"sha256", "Lowercase hex SHA-256 of the image", true},
                  {"models", "Comma-separated models the image is for", true}}}},
      {&PartnerApi::UpgradePlans,
       {.method = "GET", .path = "/api/v1/firmware/upgrade-plans/{model}", .id = "getUpgradePlans",
        .summary = "Where the partner's phones of a model are sent (a live rollout's version, else its target), "
                   "the upgrade paths between versions, and the model's images in version order.",
        .output = firmware::UpgradePlans::descriptor()}},
      {&PartnerApi::CreateRollout,
       {.method = "POST", .path = "/api/v1/rollouts", .id = "createRollout",
        .summary = "A staged firmware rollout to a version the catalog holds an image of.",
        .input = firmware::CreateRolloutRequest::descriptor(), .output = firmware::Rollout::descriptor(),
        .body = Body::kJson, .success = 201, .takes_idempotency_key = true,
        .example = R"({"model": "CP-8851-3PCC", "target_version": "12-0-1MPP0001-245",
                       "stages": [{"percent": 10, "min_soak": "3600s"}, {"percent": 100, "min_soak": "0s"}],
                       "failure_threshold_percent": 5})"}},
      {&PartnerApi::ListRollouts,
       {.method = "GET", .path = "/api/v1/rollouts", .id = "listRollouts",
        .summary = "The partner's rollouts, newest first.", .input = firmware::ListRolloutsRequest::descriptor(),
        .output = firmware::ListRolloutsResponse::descriptor()}},
      {&PartnerApi::GetRollout,
       {.method = "GET", .path = "/api/v1/rollouts/{id}", .id = "getRollout",
        .summary = "A rollout and its progress.", .output = firmware::Rollout::descriptor()}},
      {&PartnerApi::PauseRollout,
       {.method = "POST", .path = "/api/v1/rollouts/{id}:pause", .id = "pauseRollout",
        .summary = "Pause a rollout.", .output = firmware::Rollout::descriptor()}},
      {&PartnerApi::ResumeRollout,
       {.method = "POST", .path = "/api/v1/rollouts/{id}:resume", .id = "resumeRollout",
        .summary = "Resume a paused or halted rollout.", .output = firmware::Rollout::descriptor()}},
      {&PartnerApi::AbortRollout,
       {.method = "POST", .path = "/api/v1/rollouts/{id}:abort", .id = "abortRollout",
        .summary = "Abort a rollout.", .output = firmware::Rollout::descriptor()}},
      {&PartnerApi::CreateWebhook,
       {.method = "POST", .path = "/api/v1/webhooks", .id = "createWebhook",
        .summary = "An HTTPS endpoint for the partner's events (phone.claimed, phone.redirected, "
                   "phone.registered, phone.acquired, phone.upgrade_succeeded, phone.upgrade_failed, "
                   "rollout.halted), POSTed "
                   "as JSON, signed (Onramp-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>) "
                   "and delivered at least once (deduplicate by Onramp-Event-Id). The secret is shown once.",
        .input = device::CreateWebhookRequest::descriptor(), .output = device::CreateWebhookResponse::descriptor(),
        .body = Body::kJson, .success = 201,
        .example = R"({"url": "https://hooks.example.com/onramp", "events": ["phone.acquired"]})"}},
      {&PartnerApi::ListWebhooks,
       {.method = "GET", .path = "/api/v1/webhooks", .id = "listWebhooks", .summary = "The partner's webhooks.",
        .input = device::ListWebhooksRequest::descriptor(), .output = device::ListWebhooksResponse::descriptor()}},
      {&PartnerApi::DeleteWebhook,
       {.method = "DELETE", .path = "/api/v1/webhooks/{id}", .id = "deleteWebhook",
        .summary = "Stop sending to a webhook; its undelivered events go with it.",
        .output = device::Webhook::descriptor()}},
      {&PartnerApi::ListWebhookDeliveries,
       {.method = "GET", .path = "/api/v1/webhooks/{id}/deliveries", .id = "listWebhookDeliveries",
        .summary = "What was sent to a webhook, newest first: each event, its attempts, the endpoint's last answer.",
        .input = device::ListWebhookDeliveriesRequest::descriptor(),
        .output = device::ListWebhookDeliveriesResponse::descriptor(), .set_by_gateway = {"webhook_id"}}},
  };
  return routes;
}

std::string_view PartnerApi::OpenApiDocument() {
  static const std::string* const document = [] {
    std::vector<const openapi::Operation*> operations;
    for (const Route& route : Routes()) operations.push_back(&route.api);
    return new std::string(openapi::Document(operations));
  }();
  return *document;
}

PartnerApi::PartnerApi(clients::ActivationCodes& codes, clients::DeviceActivation& devices,
                       clients::ProfileRender& profiles, clients::FirmwareCatalog& firmware,
                       PartnerAuthOptions auth, clients::Acs* acs)
    : codes_(codes), devices_(devices), profiles_(profiles), firmware_(firmware), acs_(acs), auth_(devices, auth) {}

bool PartnerApi::Owns(std::string_view target) {
  std::string_view prefix = kPrefix;
  if (!target.starts_with(prefix)) return false;
  return target.size() == prefix.size() || target[prefix.size()] == '/' || target[prefix.size()] == '?';
}

Reply PartnerApi::Handle(const Request& request, const Peer& peer, const std::string& request_id) {
  std::string_view target(request.target().data(), request.target().size());
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  if (path == "/api/v1/openapi.json" && request.method() == http::verb::get) {
    return rest::Json(http::status::ok, std::string(OpenApiDocument()));
  }
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  std::vector<std::string> allowed;  // the path's methods, for a 405's Allow
  for (const Route& candidate : Routes()) {
    std::map<std::string, std::string> found;
    if (!rest::MatchPath(candidate.api.path, path, &found)) continue;
    allowed.push_back(candidate.api.method);
    if (request.method_string() == candidate.api.method) {
      route = &candidate;
      params = std::move(found);
      break;
    }
  }
  if (route == nullptr) {
    if (allowed.empty()) return rest::Error(absl::NotFoundError("no such API path"));
    std::string allow = absl::StrJoin(allowed, ", ");
    Response refused = rest::Json(
        http::status::method_not_allowed,
        http_status::ErrorBody(absl::UnimplementedError(absl::StrCat("this path takes ", allow))));
    refused.set(http::field::allow, allow);
    return refused;
  }
  absl::Duration retry_after = absl::Seconds(5);
  absl::StatusOr<std::string> partner = auth_.Admit(request, peer, request_id, &retry_after);
  if (!partner.ok()) return rest::Error(partner.status(), retry_after);
  if (route->handle == nullptr) {
    return rest::Error(absl::UnimplementedError("this listener does not take streamed uploads"));
  }
  absl::StatusOr<std::map<std::string, std::string>> query = rest::QueryOf(target);
  if (!query.ok()) return rest::Error(query.status());
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
    if (!image.ok()) return rest::Error(image.status());
    return rest::Ok(*image, http::status::created);
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
    start.refusal = std::make_unique<Reply>(rest::Error(status, retry_after));
    return std::move(start);
  };
  absl::StatusOr<std::string> partner = auth_.Admit(head, peer, request_id, &retry_after);
  if (!partner.ok()) return refuse(partner.status());
  absl::StatusOr<std::map<std::string, std::string>> query = rest::QueryOf(target);
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
  if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) return rest::Error(parsed);
  request.set_partner(call.partner);
  request.set_idempotency_key(call.IdempotencyKey());
  return rest::Respond(codes_.CreateCodes(request, call.request_id), http::status::created);
}

Reply PartnerApi::ListCodes(Call& call) {
  activation::v1::ListCodesRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  request.set_partner(call.partner);
  return rest::Respond(codes_.ListCodes(request, call.request_id));
}

Reply PartnerApi::GetCode(Call& call) {
  activation::v1::GetCodeRequest request;
  request.set_partner(call.partner);
  request.set_id(call.Param("id"));
  return rest::Respond(codes_.GetCode(request, call.request_id));
}

Reply PartnerApi::RevokeCode(Call& call) {
  activation::v1::RevokeCodeRequest request;
  request.set_partner(call.partner);
  request.set_id(call.Param("id"));
  return rest::Respond(codes_.RevokeCode(request, call.request_id));
}

// --- devices ----------------------------------------------------------------

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
          return rest::Error(InvalidField("trust", "trust is DEVICE_TRUST_FACTORY_CERTIFICATE or DEVICE_TRUST_MAC_ONLY"));
        }
        request.set_trust(trust);
      } else {
        return rest::Error(InvalidField(name, absl::StrCat(name, " is not a parameter of this route")));
      }
    }
    if (absl::Status rows = bulk_csv::DevicesFromCsv(call.request.body(), &request); !rows.ok()) return rest::Error(rows);
  } else if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) {
    return rest::Error(parsed);
  }
  request.set_partner(call.partner);
  request.set_idempotency_key(call.IdempotencyKey());
  return rest::Respond(devices_.ClaimDevices(request, call.request_id));
}

Reply PartnerApi::AssignSites(Call& call) {
  profile::v1::AssignSitesRequest request;
  if (call.Header("Content-Type").starts_with("text/csv")) {
    if (!call.query.empty()) {
      return rest::Error(InvalidField(call.query.begin()->first,
                                      absl::StrCat(call.query.begin()->first, " is not a parameter of this route")));
    }
    if (absl::Status rows = bulk_csv::AssignmentsFromCsv(call.request.body(), &request); !rows.ok()) return rest::Error(rows);
  } else if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) {
    return rest::Error(parsed);
  }
  request.set_partner(call.partner);
  return rest::Respond(profiles_.AssignSites(request, call.request_id));
}

Reply PartnerApi::ListDevices(Call& call) {
  // Sites are profile-render's: a site's phones come from there, in pages
  // of its own, and their claims from device-activation.
  std::string site;
  if (auto found = call.query.find("site"); found != call.query.end()) {
    site = found->second;
    call.query.erase(found);
  }
  device::v1::ListDevicesRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  request.set_partner(call.partner);
  std::string site_next_page;
  if (!site.empty()) {
    profile::v1::ListSiteDevicesRequest in_site;
    in_site.set_partner(call.partner);
    in_site.set_site(site);
    *in_site.mutable_page() = request.page();
    absl::StatusOr<profile::v1::ListSiteDevicesResponse> macs = profiles_.ListSiteDevices(in_site, call.request_id);
    if (!macs.ok()) return rest::Error(macs.status());
    if (macs->macs().empty()) return rest::Ok(device::v1::ListDevicesResponse());
    *request.mutable_macs() = macs->macs();
    request.mutable_page()->set_page_size(macs->macs_size());
    request.mutable_page()->clear_page_token();
    site_next_page = macs->page().next_page_token();
  }
  absl::StatusOr<device::v1::ListDevicesResponse> listed = devices_.ListDevices(request, call.request_id);
  if (!listed.ok()) return rest::Error(listed.status());
  if (!site.empty()) listed->mutable_page()->set_next_page_token(site_next_page);
  AddActivities(call, *listed->mutable_devices());
  return rest::Ok(*listed);
}

void PartnerApi::AddActivities(Call& call, google::protobuf::RepeatedPtrField<device::v1::Device>& devices) {
  if (devices.empty()) return;
  profile::v1::ListDeviceActivitiesRequest request;
  request.set_partner(call.partner);
  for (const device::v1::Device& device : devices) *request.add_macs() = device.mac();
  absl::StatusOr<profile::v1::ListDeviceActivitiesResponse> activities =
      profiles_.ListDeviceActivities(request, call.request_id);
  if (!activities.ok()) {
    // The claims are device-activation's to tell; without profile-render
    // the answer still has them, only not what the phones last did.
    log::Warn("device activity unavailable", {{"error", activities.status().ToString()}});
    return;
  }
  std::map<std::string, const profile::v1::DeviceActivityEntry*> by_mac;
  for (const profile::v1::DeviceActivityEntry& entry : activities->devices()) by_mac[entry.mac().value()] = &entry;
  for (device::v1::Device& device : devices) {
    auto found = by_mac.find(device.mac().value());
    if (found == by_mac.end()) continue;
    device.set_site(found->second->site());
    if (found->second->has_activity()) *device.mutable_activity() = found->second->activity();
  }
}

Reply PartnerApi::SummarizeDevices(Call& call) {
  device::v1::SummarizeDevicesRequest request;
  request.set_partner(call.partner);
  return rest::Respond(devices_.SummarizeDevices(request, call.request_id));
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
  absl::StatusOr<device::v1::Device> device =
      devices_.GetDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id);
  if (!device.ok()) return rest::Error(device.status());
  google::protobuf::RepeatedPtrField<device::v1::Device> one;
  *one.Add() = *std::move(device);
  AddActivities(call, one);
  return rest::Ok(one[0]);
}

absl::StatusOr<common::v1::DeviceActivity> PartnerApi::ActivityOf(Call& call, const std::string& mac) {
  profile::v1::DeviceKeyRequest request;
  request.set_partner(call.partner);
  request.mutable_mac()->set_value(mac);
  return profiles_.GetDeviceActivity(request, call.request_id);
}

Reply PartnerApi::RotateDeviceKey(Call& call) {
  if (absl::Status owned = CheckOwnsDevice(call); !owned.ok()) return rest::Error(owned);
  profile::v1::DeviceKeyRequest request;
  request.set_partner(call.partner);
  request.mutable_mac()->set_value(call.Param("mac"));
  return rest::Respond(profiles_.RotateDeviceKey(request, call.request_id));
}

Reply PartnerApi::UpgradePlan(Call& call) {
  firmware::v1::PlanUpgradeRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  absl::StatusOr<device::v1::Device> device =
      devices_.GetDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id);
  if (!device.ok()) return rest::Error(device.status());
  if (request.current_version().empty()) {
    absl::StatusOr<common::v1::DeviceActivity> activity = ActivityOf(call, device->mac().value());
    if (!activity.ok() && activity.status().code() != absl::StatusCode::kNotFound) return rest::Error(activity.status());
    if (!activity.ok() || activity->firmware_version().empty()) {
      return rest::Error(status::InvalidField(
          "current_version", "the phone has not resynced yet, so its firmware is unknown: ask with current_version"));
    }
    request.set_current_version(activity->firmware_version());
  }
  request.set_partner(call.partner);
  *request.mutable_mac() = device->mac();
  request.set_model(device->model());
  return rest::Respond(firmware_.PlanUpgrade(request, call.request_id));
}

Reply PartnerApi::ReleaseDevice(Call& call) {
  return rest::Respond(devices_.ReleaseDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id));
}

Reply PartnerApi::DeviceTimeline(Call& call) {
  return rest::Respond(devices_.GetTimeline(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id));
}

Reply PartnerApi::DeviceLogs(Call& call) {
  device::v1::ListLogsRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  request.set_partner(call.partner);
  request.mutable_mac()->set_value(call.Param("mac"));
  return rest::Respond(devices_.ListLogs(request, call.request_id));
}

Reply PartnerApi::CreateTask(Call& call) {
  if (acs_ == nullptr) return rest::Error(absl::NotFoundError("no TR-069 ACS in this fleet"));
  acs::v1::CreateTaskRequest request;
  if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) return rest::Error(parsed);
  request.set_partner(call.partner);
  request.mutable_mac()->set_value(call.Param("mac"));
  request.set_idempotency_key(call.IdempotencyKey());
  return rest::Respond(acs_->CreateTask(request, call.request_id), http::status::created);
}

Reply PartnerApi::ListTasks(Call& call) {
  if (acs_ == nullptr) return rest::Error(absl::NotFoundError("no TR-069 ACS in this fleet"));
  acs::v1::ListTasksRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  request.set_partner(call.partner);
  request.mutable_mac()->set_value(call.Param("mac"));
  return rest::Respond(acs_->ListTasks(request, call.request_id));
}

Reply PartnerApi::GetTask(Call& call) {
  if (acs_ == nullptr) return rest::Error(absl::NotFoundError("no TR-069 ACS in this fleet"));
  acs::v1::GetTaskRequest request;
  request.set_partner(call.partner);
  request.set_id(call.Param("id"));
  return rest::Respond(acs_->GetTask(request, call.request_id));
}

absl::Status PartnerApi::CheckOwnsDevice(Call& call) {
  return devices_.GetDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id).status();
}

absl::StatusOr<profile::v1::PreviewRequest> PartnerApi::PreviewRequestOf(Call& call) {
  profile::v1::PreviewRequest request;
  RETURN_IF_ERROR(rest::SetFromQuery(call.query, &request));
  ASSIGN_OR_RETURN(device::v1::Device device,
                   devices_.GetDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id));
  request.set_partner(call.partner);
  request.mutable_mac()->set_value(call.Param("mac"));
  // The claimed model, unless asked for another: its model layers apply.
  if (request.model().empty()) request.set_model(device.model());
  return request;
}

Reply PartnerApi::PreviewProfile(Call& call) {
  absl::StatusOr<profile::v1::PreviewRequest> request = PreviewRequestOf(call);
  if (!request.ok()) return rest::Error(request.status());
  return rest::Respond(profiles_.Preview(*request, call.request_id));
}

Reply PartnerApi::DiffProfile(Call& call) {
  absl::StatusOr<profile::v1::PreviewRequest> request = PreviewRequestOf(call);
  if (!request.ok()) return rest::Error(request.status());
  return rest::Respond(profiles_.Diff(*request, call.request_id));
}

Reply PartnerApi::CreateRedirectProfile(Call& call) {
  device::v1::CreateRedirectProfileRequest request;
  if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) return rest::Error(parsed);
  request.set_partner(call.partner);
  // The name is the natural key: a retried create is ALREADY_EXISTS (409).
  return rest::Respond(devices_.CreateRedirectProfile(request, call.request_id), http::status::created);
}

Reply PartnerApi::ListRedirectProfiles(Call& call) {
  device::v1::ListRedirectProfilesRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  request.set_partner(call.partner);
  return rest::Respond(devices_.ListRedirectProfiles(request, call.request_id));
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
  return rest::Respond(devices_.GetRedirectProfile(RedirectProfileRefOf(call.partner, call.Param("id")), call.request_id));
}

Reply PartnerApi::DeleteRedirectProfile(Call& call) {
  return rest::Respond(devices_.DeleteRedirectProfile(RedirectProfileRefOf(call.partner, call.Param("id")), call.request_id));
}

// --- profile layers ---------------------------------------------------------

namespace {

// {scope}/{key} of a partner's layer: "partner/-", "model/<PN>" (its
// phones of that model), "site/<name>" or "device/<mac>".
absl::StatusOr<profile::v1::LayerRef> LayerRefOf(const std::string& partner, const std::string& scope,
                                                 const std::string& key) {
  profile::v1::LayerRef ref;
  ref.set_partner(partner);
  if (scope == "partner" && key == "-") {
    ref.set_scope(profile::v1::SCOPE_PARTNER);
  } else if (scope == "model") {
    ref.set_scope(profile::v1::SCOPE_MODEL);
    ref.set_key(key);
  } else if (scope == "site") {
    ref.set_scope(profile::v1::SCOPE_SITE);
    ref.set_key(key);
  } else if (scope == "device") {
    ref.set_scope(profile::v1::SCOPE_DEVICE);
    ref.set_key(key);
  } else {
    return InvalidField("scope", "a partner's layers are partner/-, model/<PN>, site/<name> or device/<mac>");
  }
  return ref;
}

}  // namespace

Reply PartnerApi::ListLayers(Call& call) {
  profile::v1::ListLayersRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  request.set_partner(call.partner);
  return rest::Respond(profiles_.ListLayers(request, call.request_id));
}

Reply PartnerApi::PutLayer(Call& call) {
  profile::v1::PutLayerRequest request;
  if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) return rest::Error(parsed);
  absl::StatusOr<profile::v1::LayerRef> ref = LayerRefOf(call.partner, call.Param("scope"), call.Param("key"));
  if (!ref.ok()) return rest::Error(ref.status());
  if (ref->scope() == profile::v1::SCOPE_DEVICE) {
    call.params["mac"] = ref->key();
    if (absl::Status owned = CheckOwnsDevice(call); !owned.ok()) return rest::Error(owned);
  }
  *request.mutable_ref() = *ref;
  // if_version makes the write conditional, so a retry cannot apply twice.
  absl::StatusOr<profile::v1::Layer> written = profiles_.PutLayer(request, call.request_id);
  if (!written.ok()) return rest::Error(written.status());
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
      return rest::Error(still);
    }
  }
  return rest::Ok(*written);
}

Reply PartnerApi::SetParameters(Call& call) {
  profile::v1::SetParametersRequest request;
  if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) return rest::Error(parsed);
  absl::StatusOr<profile::v1::LayerRef> ref = LayerRefOf(call.partner, call.Param("scope"), call.Param("key"));
  if (!ref.ok()) return rest::Error(ref.status());
  if (ref->scope() == profile::v1::SCOPE_DEVICE) {
    return rest::Error(InvalidField("scope", "set a phone's own parameters with PUT /api/v1/layers/device/<mac>"));
  }
  *request.mutable_ref() = *ref;
  return rest::Respond(profiles_.SetParameters(request, call.request_id));
}

Reply PartnerApi::GetLayer(Call& call) {
  absl::StatusOr<profile::v1::LayerRef> ref = LayerRefOf(call.partner, call.Param("scope"), call.Param("key"));
  if (!ref.ok()) return rest::Error(ref.status());
  return rest::Respond(profiles_.GetLayer(*ref, call.request_id));
}

Reply PartnerApi::DeleteLayer(Call& call) {
  profile::v1::DeleteLayerRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  absl::StatusOr<profile::v1::LayerRef> ref = LayerRefOf(call.partner, call.Param("scope"), call.Param("key"));
  if (!ref.ok()) return rest::Error(ref.status());
  *request.mutable_ref() = *ref;
  return rest::Respond(profiles_.DeleteLayer(request, call.request_id));
}

Reply PartnerApi::PutHttpAuth(Call& call) {
  profile::v1::PutHttpAuthRequest request;
  if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) return rest::Error(parsed);
  request.set_partner(call.partner);
  return rest::Respond(profiles_.PutHttpAuth(request, call.request_id));
}

Reply PartnerApi::DeleteHttpAuth(Call& call) {
  profile::v1::DeleteHttpAuthRequest request;
  request.set_partner(call.partner);
  return rest::Respond(profiles_.DeleteHttpAuth(request, call.request_id));
}

// --- firmware and rollouts --------------------------------------------------

Reply PartnerApi::ListFirmware(Call& call) {
  firmware::v1::ListImagesRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  return rest::Respond(firmware_.ListImages(request, call.request_id));
}

Reply PartnerApi::UpgradePlans(Call& call) {
  firmware::v1::UpgradePlansRequest request;
  request.set_partner(call.partner);
  request.set_model(call.Param("model"));
  return rest::Respond(firmware_.GetUpgradePlans(request, call.request_id));
}

Reply PartnerApi::CreateRollout(Call& call) {
  firmware::v1::CreateRolloutRequest request;
  if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) return rest::Error(parsed);
  request.set_partner(call.partner);
  request.set_idempotency_key(call.IdempotencyKey());
  return rest::Respond(firmware_.CreateRollout(request, call.request_id), http::status::created);
}

namespace {

firmware::v1::RolloutRef RolloutRefOf(const std::string& partner, const std::string& id) {
  firmware::v1::RolloutRef ref;
  ref.set_partner(partner);
  ref.set_id(id);
  return ref;
}

}  // namespace

Reply PartnerApi::ListRollouts(Call& call) {
  firmware::v1::ListRolloutsRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  request.set_partner(call.partner);
  return rest::Respond(firmware_.ListRollouts(request, call.request_id));
}

Reply PartnerApi::GetRollout(Call& call) {
  return rest::Respond(firmware_.GetRollout(RolloutRefOf(call.partner, call.Param("id")), call.request_id));
}

Reply PartnerApi::PauseRollout(Call& call) {
  return rest::Respond(firmware_.PauseRollout(RolloutRefOf(call.partner, call.Param("id")), call.request_id));
}

Reply PartnerApi::ResumeRollout(Call& call) {
  return rest::Respond(firmware_.ResumeRollout(RolloutRefOf(call.partner, call.Param("id")), call.request_id));
}

Reply PartnerApi::AbortRollout(Call& call) {
  return rest::Respond(firmware_.AbortRollout(RolloutRefOf(call.partner, call.Param("id")), call.request_id));
}

// --- webhooks ----------------------------------------------------------------

Reply PartnerApi::CreateWebhook(Call& call) {
  device::v1::CreateWebhookRequest request;
  if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) return rest::Error(parsed);
  request.set_partner(call.partner);
  return rest::Respond(devices_.CreateWebhook(request, call.request_id), http::status::created);
}

Reply PartnerApi::ListWebhooks(Call& call) {
  device::v1::ListWebhooksRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  request.set_partner(call.partner);
  return rest::Respond(devices_.ListWebhooks(request, call.request_id));
}

Reply PartnerApi::DeleteWebhook(Call& call) {
  device::v1::WebhookRef ref;
  ref.set_partner(call.partner);
  ref.set_id(call.Param("id"));
  return rest::Respond(devices_.DeleteWebhook(ref, call.request_id));
}

Reply PartnerApi::ListWebhookDeliveries(Call& call) {
  device::v1::ListWebhookDeliveriesRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  request.set_partner(call.partner);
  request.set_webhook_id(call.Param("id"));
  return rest::Respond(devices_.ListWebhookDeliveries(request, call.request_id));
}

}  // namespace onramp::gateway
