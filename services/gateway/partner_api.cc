#include "services/gateway/partner_api.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/http/status/http_status.h"
#include "lib/kit/log/log.h"
#include "lib/kit/status/error_detail.h"
#include "services/gateway/claim_csv.h"
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
                       PartnerAuthOptions auth)
    : codes_(codes), devices_(devices), profiles_(profiles), firmware_(firmware), auth_(devices, auth) {}

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
  bool path_known = false;
  for (const Route& candidate : Routes()) {
    std::map<std::string, std::string> found;
    if (!rest::MatchPath(candidate.path, path, &found)) continue;
    path_known = true;
    if (request.method_string() == candidate.method) {
      route = &candidate;
      params = std::move(found);
      break;
    }
  }
  if (route == nullptr) {
    if (!path_known) return rest::Error(absl::NotFoundError("no such API path"));
    return rest::Json(http::status::method_not_allowed,
                        http_status::ErrorBody(absl::UnimplementedError("method not allowed on this path")));
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
    if (absl::Status rows = DevicesFromCsv(call.request.body(), &request); !rows.ok()) return rest::Error(rows);
  } else if (absl::Status parsed = rest::ParseJsonBody(call.request, &request); !parsed.ok()) {
    return rest::Error(parsed);
  }
  request.set_partner(call.partner);
  request.set_idempotency_key(call.IdempotencyKey());
  return rest::Respond(devices_.ClaimDevices(request, call.request_id));
}

Reply PartnerApi::ListDevices(Call& call) {
  device::v1::ListDevicesRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  request.set_partner(call.partner);
  return rest::Respond(devices_.ListDevices(request, call.request_id));
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
  return rest::Respond(devices_.GetDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id));
}

Reply PartnerApi::ReleaseDevice(Call& call) {
  return rest::Respond(devices_.ReleaseDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id));
}

Reply PartnerApi::DeviceTimeline(Call& call) {
  return rest::Respond(devices_.GetTimeline(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id));
}

absl::Status PartnerApi::CheckOwnsDevice(Call& call) {
  return devices_.GetDevice(DeviceRequestOf(call.partner, call.Param("mac")), call.request_id).status();
}

Reply PartnerApi::PreviewProfile(Call& call) {
  profile::v1::PreviewRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  if (absl::Status owned = CheckOwnsDevice(call); !owned.ok()) return rest::Error(owned);
  request.set_partner(call.partner);
  request.mutable_mac()->set_value(call.Param("mac"));
  return rest::Respond(profiles_.Preview(request, call.request_id));
}

Reply PartnerApi::DiffProfile(Call& call) {
  profile::v1::PreviewRequest request;
  if (absl::Status set = rest::SetFromQuery(call.query, &request); !set.ok()) return rest::Error(set);
  if (absl::Status owned = CheckOwnsDevice(call); !owned.ok()) return rest::Error(owned);
  request.set_partner(call.partner);
  request.mutable_mac()->set_value(call.Param("mac"));
  return rest::Respond(profiles_.Diff(request, call.request_id));
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

}  // namespace onramp::gateway
