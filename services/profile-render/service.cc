#include "services/profile-render/service.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/http/etag/etag.h"
#include "lib/kit/log/log.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/server/request_id.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/grpc_status.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "services/profile-render/layer_edits.h"
#include "services/profile-render/layer_proto.h"
#include "services/profile-render/parameter_diff.h"

namespace onramp::profile {
namespace {

using status::InvalidField;
using status::ToGrpcStatus;
using validation::Presence;

constexpr int kSetParametersAttempts = 5;
constexpr size_t kMaxReport = 64 * 1024;

// A phone's resync as a Render request has it, checked.
absl::StatusOr<Resync> ResyncOf(const v1::RenderRequest& request, const std::string& request_id) {
  ASSIGN_OR_RETURN(std::string mac, validation::Mac("device.mac", request.device().mac().value()));
  RETURN_IF_ERROR(validation::Name("device.model", request.device().model(), 64));
  RETURN_IF_ERROR(validation::Text("device.serial", request.device().serial(), 64, Presence::kOptional));
  RETURN_IF_ERROR(validation::Text("device.firmware_version", request.device().firmware_version(), 128,
                                   Presence::kOptional));
  if (request.post_body().size() > kMaxReport) return InvalidField("post_body", "a POST body is at most 64 KiB");
  return Resync{.mac = mac,
                .model = request.device().model(),
                .serial = request.device().serial(),
                .firmware_version = request.device().firmware_version(),
                .source_address = request.source_address(),
                .authenticated_channel = request.authenticated_channel(),
                .method = request.method(),
                .authorization = request.authorization(),
                .request_uri = request.request_uri(),
                .request_id = request_id};
}

}  // namespace

ProfileRenderServiceImpl::ProfileRenderServiceImpl(ProfileStore& store, profile_crypto::Sealer key_sealer,
                                                   prometheus::Registry& registry, size_t cache_capacity,
                                                   absl::Duration generation_poll,
                                                   clients::DeviceActivation* devices,
                                                   clients::FirmwareCatalog* firmware,
                                                   std::string tr069_credentials_secret)
    : store_(store),
      devices_(devices),
      firmware_(firmware),
      keys_(store, std::move(key_sealer)),
      renderer_(store, keys_, firmware, devices, cache_capacity, generation_poll,
                std::move(tr069_credentials_secret), &changes_),
      recorder_(store, devices),
      renders_(prometheus::BuildCounter()
                   .Name("onramp_profile_renders_total")
                   .Help("Profile renders by how they were answered.")
                   .Register(registry)),
      dropped_(prometheus::BuildCounter()
                   .Name("onramp_profile_parameters_dropped_total")
                   .Help("Parameters left out of renders because the model lacks them.")
                   .Register(registry)
                   .Add({})) {}

grpc::Status ProfileRenderServiceImpl::PutLayer(grpc::ServerContext*,
                                                const v1::PutLayerRequest* request,
                                                v1::Layer* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(LayerKey ref, CheckRef(request->ref()));
    ASSIGN_OR_RETURN(std::vector<LayerParameter> parameters, ParametersOf(request->parameters()));
    bool device_settings = !request->site().empty() || request->always_encrypt() || request->gzip() ||
                           request->encryption() != v1::ENCRYPTION_UNSPECIFIED;
    if (device_settings && ref.scope != Scope::kDevice) {
      return InvalidField("site", "only device layers name a site or an encryption");
    }
    RETURN_IF_ERROR(validation::Name("site", request->site(), 64, Presence::kOptional));
    if (request->if_version() < 0) return InvalidField("if_version", "if_version is 0 or a version");
    DeviceSettings settings{
        .site = request->site(), .always_encrypt = request->always_encrypt(), .gzip = request->gzip()};
    switch (request->encryption()) {
      case v1::ENCRYPTION_AES_256_CBC: settings.encryption = Encryption::kAes256Cbc; break;
      case v1::ENCRYPTION_AES128GCM: settings.encryption = Encryption::kAes128Gcm; break;
      case v1::ENCRYPTION_NONE:
        return InvalidField("encryption", "a phone's profiles cannot be set never to encrypt");
      default: break;
    }
    // A masked secret written back (a read, an edit, a write) keeps its value.
    bool masked = std::any_of(parameters.begin(), parameters.end(),
                              [](const LayerParameter& p) { return p.value == kMasked && IsSecret(p); });
    if (masked) {
      absl::StatusOr<StoredLayer> found = store_.GetLayer(ref);
      if (!found.ok() && found.status().code() != absl::StatusCode::kNotFound) return found.status();
      RETURN_IF_ERROR(KeepMaskedSecrets(parameters, found.ok() ? found->parameters : std::vector<LayerParameter>()));
    }
    ASSIGN_OR_RETURN(StoredLayer stored,
                     store_.PutLayer(ref, parameters, settings, request->if_version()));
    renderer_.Written();
    ToProto(stored, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::SetParameters(grpc::ServerContext*, const v1::SetParametersRequest* request,
                                                     v1::Layer* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(LayerKey ref, CheckRef(request->ref()));
    ASSIGN_OR_RETURN(std::vector<LayerParameter> set, ParametersOf(request->parameters()));
    std::vector<std::string> remove(request->remove().begin(), request->remove().end());
    // Read, merge, write at the version read; a write in between makes the
    // write stale, and the edit is merged again into what it wrote.
    absl::Status written;
    for (int attempt = 0; attempt < kSetParametersAttempts; ++attempt) {
      absl::StatusOr<StoredLayer> current = store_.GetLayer(ref);
      if (!current.ok() && current.status().code() != absl::StatusCode::kNotFound) return current.status();
      StoredLayer layer = current.ok() ? *std::move(current) : StoredLayer();
      ASSIGN_OR_RETURN(std::vector<LayerParameter> merged, MergeParameters(layer.parameters, set, remove));
      absl::StatusOr<StoredLayer> stored = store_.PutLayer(ref, merged, layer.settings, layer.version);
      if (stored.ok()) {
        renderer_.Written();
        ToProto(*stored, response);
        return absl::OkStatus();
      }
      written = stored.status();
      if (written.code() != absl::StatusCode::kAborted) return written;
    }
    return written;
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::AssignSites(grpc::ServerContext* context, const v1::AssignSitesRequest* request,
                                                   v1::AssignSitesResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(CheckedAssignments checked, CheckAssignments(request->assignments()));
    std::string request_id = server::RequestIdOf(*context);
    // Only the partner's phones.
    auto owned_by_partner = [&](const std::vector<SiteRow>& rows) {
      std::vector<std::string> macs;
      for (const SiteRow& row : rows) macs.push_back(row.mac);
      return OwnedBy(request->partner(), macs, request_id);
    };
    ASSIGN_OR_RETURN(std::set<std::string> owned, owned_by_partner(checked.valid));
    std::vector<std::pair<std::string, std::string>> writes;
    for (const SiteRow& row : checked.valid) {
      if (owned.contains(row.mac)) writes.emplace_back(row.mac, row.site);
    }
    ASSIGN_OR_RETURN(auto changed, store_.AssignSites(request->partner(), writes));
    // A phone released while this ran must not keep a layer of the old
    // owner's: asked again, and undone where it is no longer the partner's.
    if (!changed.empty()) {
      std::vector<SiteRow> written;
      for (const SiteRow& row : checked.valid) {
        if (changed.contains(row.mac)) written.push_back(row);
      }
      ASSIGN_OR_RETURN(std::set<std::string> still, owned_by_partner(written));
      for (const SiteRow& row : written) {
        if (still.contains(row.mac)) continue;
        absl::Status undone =
            store_.DeleteLayer({request->partner(), Scope::kDevice, row.mac}, changed.at(row.mac));
        if (!undone.ok()) log::Warn("a released phone's site could not be undone", {{"error", undone.ToString()}});
        owned.erase(row.mac);
        changed.erase(row.mac);
      }
    }
    renderer_.Written();
    std::vector<v1::AssignResult> results = std::move(checked.invalid);
    for (const SiteRow& row : checked.valid) {
      v1::AssignResult& result = results.emplace_back();
      result.set_row(row.row);
      result.set_mac(row.mac);
      result.set_outcome(!owned.contains(row.mac)   ? v1::ASSIGN_OUTCOME_NOT_FOUND
                         : changed.contains(row.mac) ? v1::ASSIGN_OUTCOME_ASSIGNED
                                                     : v1::ASSIGN_OUTCOME_UNCHANGED);
    }
    std::sort(results.begin(), results.end(),
              [](const v1::AssignResult& a, const v1::AssignResult& b) { return a.row() < b.row(); });
    v1::AssignCounts& counts = *response->mutable_counts();
    for (v1::AssignResult& result : results) {
      switch (result.outcome()) {
        case v1::ASSIGN_OUTCOME_ASSIGNED: counts.set_assigned(counts.assigned() + 1); break;
        case v1::ASSIGN_OUTCOME_UNCHANGED: counts.set_unchanged(counts.unchanged() + 1); break;
        case v1::ASSIGN_OUTCOME_NOT_FOUND: counts.set_not_found(counts.not_found() + 1); break;
        default: counts.set_invalid(counts.invalid() + 1); break;
      }
      *response->add_results() = std::move(result);
    }
    log::Info("sites assigned", {{"partner", request->partner()},
                                 {"rows", std::to_string(request->assignments_size())},
                                 {"assigned", std::to_string(counts.assigned())}});
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::GetLayer(grpc::ServerContext*, const v1::LayerRef* request,
                                                v1::Layer* response) {
  auto run = [&]() -> absl::Status {
    v1::LayerRef ref = *request;
    ASSIGN_OR_RETURN(LayerKey key, CheckRef(ref));
    ASSIGN_OR_RETURN(StoredLayer stored, store_.GetLayer(key));
    ToProto(stored, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::ListLayers(grpc::ServerContext*,
                                                  const v1::ListLayersRequest* request,
                                                  v1::ListLayersResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64, Presence::kOptional));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed =
        store_.ListLayers(request->partner(), FromProto(request->scope()), page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const StoredLayer& layer : listed->first) ToProto(layer, response->add_layers());
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::DeleteLayer(grpc::ServerContext*,
                                                   const v1::DeleteLayerRequest* request,
                                                   v1::DeleteLayerResponse*) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(LayerKey key, CheckRef(request->ref()));
    RETURN_IF_ERROR(store_.DeleteLayer(key, request->if_version()));
    renderer_.Written();
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::PutTemplate(grpc::ServerContext*,
                                                   const v1::PutTemplateRequest* request,
                                                   v1::Template* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    if (request->text().size() > 64 * 1024) {
      return InvalidField("text", "a template is at most 64 KiB");
    }
    RETURN_IF_ERROR(ValidateTemplate(request->text()));
    ASSIGN_OR_RETURN(int64_t version, store_.PutTemplate(request->partner(), request->text()));
    renderer_.Written();
    response->set_partner(request->partner());
    response->set_version(version);
    response->set_text(request->text());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::PutModelParameters(grpc::ServerContext*,
                                                          const v1::ModelParameters* request,
                                                          v1::ModelParameters* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64));
    if (request->names_size() > 20000) return InvalidField("names", "at most 20,000 names");
    std::vector<std::string> names;
    for (int i = 0; i < request->names_size(); ++i) {
      if (!flat_profile::IsValidName(request->names(i))) {
        return InvalidField(absl::StrCat("names[", i, "]"),
                            absl::StrCat("\"", request->names(i), "\" is not a parameter name"));
      }
      names.push_back(request->names(i));
    }
    RETURN_IF_ERROR(store_.PutModelParameters(request->model(), names));
    renderer_.Written();
    *response = *request;
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::RotateDeviceKey(grpc::ServerContext*,
                                                       const v1::DeviceKeyRequest* request,
                                                       v1::DeviceKey* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    ASSIGN_OR_RETURN(DeviceContext device, renderer_.Device(mac));
    if (device.partner != request->partner()) return absl::NotFoundError("no profile for this phone");
    ASSIGN_OR_RETURN(SealedKey key, keys_.Add(mac, /*only_if_none=*/false));
    renderer_.Written();
    response->set_key_id(key.key_id);
    proto::SetTimestamp(key.created, response->mutable_create_time());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::DeliverDeviceKey(grpc::ServerContext*, const v1::DeviceKeyRequest* request,
                                                        v1::DeliveredKey* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    // The caller (device-activation, which owns claims) vouches that the
    // partner owns the phone; a layer another partner left must not stand.
    absl::StatusOr<DeviceContext> device = store_.Device(mac);
    if (device.ok() && device->partner != request->partner()) {
      return absl::FailedPreconditionError("another partner's device layer is still kept for this phone");
    }
    if (!device.ok() && device.status().code() != absl::StatusCode::kNotFound) return device.status();
    ASSIGN_OR_RETURN(HeldKey held, keys_.Deliver(mac));
    renderer_.Written();
    renderer_.Forget(mac);  // this replica's next render for the phone uses its key at once
    ASSIGN_OR_RETURN(profile_crypto::DeviceKey key, keys_.Unseal(held.key));
    response->set_key_id(held.key.key_id);
    response->set_encryption(ToProto(held.encryption));
    response->set_secret(held.encryption == Encryption::kAes128Gcm ? key.Ikm() : key.Passphrase());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::ForgetDevice(grpc::ServerContext*, const v1::DeviceKeyRequest* request,
                                                    v1::ForgetDeviceResponse*) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    // What this replica still holds for the phone goes first.
    recorder_.Flush();
    RETURN_IF_ERROR(store_.ForgetDevice(mac));
    renderer_.Written();
    log::Info("device forgotten", {{"mac", mac}, {"released_by", request->partner()}});
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::Render(grpc::ServerContext* context, const v1::RenderRequest* request,
                                              v1::RenderResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(const Resync resync, ResyncOf(*request, server::RequestIdOf(*context)));
    const std::string& mac = resync.mac;
    ASSIGN_OR_RETURN(DeviceContext device, renderer_.Device(mac));
    // The partner's HTTP authentication comes before anything else.
    if (std::vector<std::string> challenges = renderer_.Challenges(device, resync); !challenges.empty()) {
      for (std::string& challenge : challenges) response->add_challenges(std::move(challenge));
      renders_.Add({{"how", "challenged"}}).Increment();
      return absl::OkStatus();
    }
    if (request->method() == "POST" && !request->post_body().empty()) {
      // The phone's status in its POST resync, kept as a report is.
      RETURN_IF_ERROR(store_.AddReport(mac, absl::Base64Escape(request->post_body()),
                                       ReadReport(request->post_body()).parameters, request->source_address(),
                                       request->authenticated_channel()));
    }
    ASSIGN_OR_RETURN(Rendering rendering, renderer_.Render(device, resync));
    const Rendered& rendered = *rendering.rendered;
    dropped_.Increment(rendering.dropped);
    response->set_etag(rendered.etag);
    response->set_has_secrets(rendered.has_secrets);
    response->set_encryption(ToProto(rendered.encryption));
    response->set_key_id(rendered.key_id);
    if (rendering.edge_max_age) {
      response->mutable_edge()->set_generation(rendering.generation);
      if (*rendering.edge_max_age != absl::InfiniteDuration()) {
        proto::SetDuration(*rendering.edge_max_age, response->mutable_edge()->mutable_max_age());
      }
    }
    const char* how = rendering.cached ? "cached" : "rendered";
    if (http_etag::NoneMatchFails(request->if_none_match(), rendered.etag)) {
      response->set_not_modified(true);
      how = "not_modified";
    } else {
      response->set_body(rendered.body);
      response->set_content_type(rendered.content_type);
      response->set_content_encoding(rendered.content_encoding);
    }
    recorder_.Record({mac, rendered.etag, rendered.parameters, request->authenticated_channel(), device.partner,
                      request->device().firmware_version()});
    renders_.Add({{"how", how}}).Increment();
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::WatchRenders(
    grpc::ServerContext* context, grpc::ServerReaderWriter<v1::RenderChange, v1::RenderChangeAck>* stream) {
  std::shared_ptr<RenderChanges::Watcher> watcher = changes_.Watch([context] { context->TryCancel(); });
  log::Info("a gateway watches renders", {{"peer", context->peer()}});
  while (!context->IsCancelled()) {
    // Woken at least this often to notice a cancelled call (a drain).
    std::optional<RenderChange> change = watcher->Next(absl::Now() + absl::Milliseconds(250));
    if (!change) continue;
    v1::RenderChange out;
    out.set_sequence(change->sequence);
    out.set_generation(change->generation);
    for (std::string& mac : change->forgotten_macs) out.add_forgotten_macs(std::move(mac));
    v1::RenderChangeAck ack;
    if (!stream->Write(out) || !stream->Read(&ack)) break;
    watcher->Acknowledge(ack.sequence());
  }
  watcher->Close();
  log::Info("a gateway stopped watching renders", {{"peer", context->peer()}});
  return grpc::Status::OK;
}

grpc::Status ProfileRenderServiceImpl::ConfirmDeliveries(grpc::ServerContext* context,
                                                         const v1::ConfirmDeliveriesRequest* request,
                                                         v1::ConfirmDeliveriesResponse* response) {
  auto run = [&]() -> absl::Status {
    constexpr int kMaxDeliveries = 10000;
    if (request->deliveries_size() > kMaxDeliveries) {
      return InvalidField("deliveries", absl::StrCat("at most ", kMaxDeliveries, " per call"));
    }
    const std::string request_id = server::RequestIdOf(*context);
    int recorded = 0;
    for (const v1::EdgeDelivery& delivery : request->deliveries()) {
      // One phone's answer gone stale or its phone gone is no reason to
      // lose the others'.
      absl::StatusOr<Resync> resync = ResyncOf(delivery.request(), request_id);
      if (!resync.ok()) continue;
      absl::StatusOr<bool> current = RecordIfCurrent(*resync, delivery.etag());
      if (current.ok() && *current) ++recorded;
    }
    renders_.Add({{"how", "edge"}}).Increment(recorded);
    response->set_recorded(recorded);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

namespace {

// A TR-069 phone's Inform as a resync: over the ACS's authenticated session.
absl::StatusOr<Resync> ResyncOf(const v1::GetParametersRequest& request, const std::string& request_id) {
  ASSIGN_OR_RETURN(std::string mac, validation::Mac("device.mac", request.device().mac().value()));
  RETURN_IF_ERROR(validation::Name("device.model", request.device().model(), 64));
  RETURN_IF_ERROR(
      validation::Text("device.firmware_version", request.device().firmware_version(), 128, Presence::kOptional));
  return Resync{.mac = mac,
                .model = request.device().model(),
                .serial = request.device().serial(),
                .firmware_version = request.device().firmware_version(),
                .source_address = request.source_address(),
                .authenticated_channel = true,
                .method = "GET",
                .request_id = request_id};
}

}  // namespace

absl::StatusOr<bool> ProfileRenderServiceImpl::RecordIfCurrent(const Resync& resync, const std::string& etag) {
  ASSIGN_OR_RETURN(DeviceContext device, renderer_.Device(resync.mac));
  ASSIGN_OR_RETURN(Rendering rendering, renderer_.Render(device, resync));
  if (rendering.rendered->etag != etag) return false;
  recorder_.Record({resync.mac, etag, rendering.rendered->parameters, resync.authenticated_channel, device.partner,
                    resync.firmware_version});
  return true;
}

grpc::Status ProfileRenderServiceImpl::ConfirmDelivery(grpc::ServerContext* context,
                                                       const v1::ConfirmDeliveryRequest* request,
                                                       v1::ConfirmDeliveryResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(const Resync resync, ResyncOf(request->phone(), server::RequestIdOf(*context)));
    RETURN_IF_ERROR(validation::Text("etag", request->etag(), 128));
    ASSIGN_OR_RETURN(bool recorded, RecordIfCurrent(resync, request->etag()));
    response->set_recorded(recorded);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::GetParameters(grpc::ServerContext* context,
                                                     const v1::GetParametersRequest* request,
                                                     v1::GetParametersResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(const Resync resync, ResyncOf(*request, server::RequestIdOf(*context)));
    ASSIGN_OR_RETURN(DeviceContext device, renderer_.Device(resync.mac));
    ASSIGN_OR_RETURN(Rendering rendering, renderer_.Render(device, resync));
    response->set_etag(rendering.rendered->etag);
    for (const LayerParameter& p : rendering.rendered->parameters) {
      v1::Parameter* out = response->add_parameters();
      out->set_name(p.name);
      out->set_value(p.value);
      out->set_ua(ToProto(p.user_access));
      out->set_secret(IsSecret(p));
    }
    renders_.Add({{"how", "parameters"}}).Increment();
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::PutHttpAuth(grpc::ServerContext*, const v1::PutHttpAuthRequest* request,
                                                   v1::HttpAuth* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    // Quotes and backslashes would need escaping in the challenge; phones
    // take plain realms.
    RETURN_IF_ERROR(validation::Text("realm", request->realm(), 128));
    if (request->realm().find_first_of("\"\\") != std::string::npos) {
      return InvalidField("realm", "realm must not contain quotes or backslashes");
    }
    RETURN_IF_ERROR(validation::Name("username", request->username(), 64));
    if (request->password().size() < 8 || request->password().size() > 128) {
      return InvalidField("password", "password must be 8 to 128 characters");
    }
    RETURN_IF_ERROR(store_.PutHttpAuth(request->partner(),
                                       {.realm = request->realm(),
                                        .username = request->username(),
                                        .ha1 = http_auth::Ha1(request->username(), request->realm(), request->password())}));
    renderer_.WrittenEverywhere();
    response->set_partner(request->partner());
    response->set_realm(request->realm());
    response->set_username(request->username());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::DeleteHttpAuth(grpc::ServerContext*, const v1::DeleteHttpAuthRequest* request,
                                                      v1::DeleteHttpAuthResponse*) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(store_.DeleteHttpAuth(request->partner()));
    renderer_.WrittenEverywhere();
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

absl::StatusOr<std::vector<LayerParameter>> ProfileRenderServiceImpl::Current(
    const v1::PreviewRequest& request, std::string* mac) {
  RETURN_IF_ERROR(validation::Name("partner", request.partner(), 64));
  ASSIGN_OR_RETURN(*mac, validation::Mac("mac", request.mac().value()));
  RETURN_IF_ERROR(validation::Name("model", request.model(), 64, Presence::kOptional));
  // As Render finds the phone: by its device layer, or a layer-less phone by its owner.
  ASSIGN_OR_RETURN(DeviceContext device, renderer_.Device(*mac));
  if (device.partner != request.partner()) return absl::NotFoundError("no profile for this phone");
  ASSIGN_OR_RETURN(RenderSources sources, store_.Sources(*mac, request.model(), device));
  RenderInput input{.layers = std::move(sources.layers), .template_text = std::move(sources.template_text)};
  input.device.mac = *identity::MacAddress::Parse(*mac);
  input.device.model = request.model();
  input.device.partner = device.partner;
  input.device.site = device.settings.site;
  return MergeParameters(input);
}

grpc::Status ProfileRenderServiceImpl::Preview(grpc::ServerContext*, const v1::PreviewRequest* request,
                                               v1::PreviewResponse* response) {
  auto run = [&]() -> absl::Status {
    std::string mac;
    ASSIGN_OR_RETURN(std::vector<LayerParameter> parameters, Current(*request, &mac));
    flat_profile::FlatProfile profile;
    for (const LayerParameter& p : parameters) {
      profile.parameters.push_back(
          {.name = p.name,
           .value = p.secret && !request->reveal_secrets() ? std::string(kMasked) : p.value,
           .user_access = p.user_access});
    }
    response->set_xml(flat_profile::Write(profile));
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::Diff(grpc::ServerContext*, const v1::PreviewRequest* request,
                                            v1::DiffResponse* response) {
  auto run = [&]() -> absl::Status {
    std::string mac;
    ASSIGN_OR_RETURN(std::vector<LayerParameter> now, Current(*request, &mac));
    recorder_.Flush();
    ASSIGN_OR_RETURN(std::optional<Delivery> last, store_.LastDelivery(mac, request->partner()));
    std::vector<LayerParameter> before;
    if (last) {
      response->set_delivered_etag(last->etag);
      proto::SetTimestamp(last->at, response->mutable_delivered_time());
      before = std::move(last->parameters);
    }
    auto shown = [&](const LayerParameter& p) {
      return p.secret && !request->reveal_secrets() ? std::string(kMasked) : p.value;
    };
    for (const ParameterChange& change : DiffParameters(before, now)) {
      v1::ParameterChange* out = response->add_changes();
      out->set_name(change.name);
      if (change.before) out->set_before(shown(*change.before));
      if (change.after) out->set_after(shown(*change.after));
      out->set_added(change.before == nullptr);
      out->set_removed(change.after == nullptr);
    }
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

namespace {

void ToProto(const Activity& activity, common::v1::DeviceActivity* response) {
  absl::Time last_contact = absl::InfinitePast();
  if (activity.resync) {
    last_contact = activity.resync->at;
    response->set_firmware_version(activity.resync->firmware_version);
    response->set_profile_etag(activity.resync->etag);
  }
  if (activity.report) {
    last_contact = std::max(last_contact, activity.report->at);
    common::v1::DeviceReport& report = *response->mutable_last_report();
    proto::SetTimestamp(activity.report->at, report.mutable_time());
    report.set_parameters(activity.report->parameters);
    report.set_authenticated(activity.report->authenticated);
  }
  if (last_contact != absl::InfinitePast()) proto::SetTimestamp(last_contact, response->mutable_last_contact_time());
}

}  // namespace

absl::StatusOr<std::set<std::string>> ProfileRenderServiceImpl::OwnedBy(const std::string& partner,
                                                                      const std::vector<std::string>& macs,
                                                                      const std::string& request_id) {
  if (devices_ == nullptr) return absl::FailedPreconditionError("no device-activation to say who owns phones");
  device::v1::GetOwnersRequest asked;
  for (const std::string& mac : macs) asked.add_macs()->set_value(mac);
  ASSIGN_OR_RETURN(device::v1::GetOwnersResponse owners, devices_->GetOwners(asked, request_id));
  std::set<std::string> owned;
  for (const device::v1::OwnedPhone& phone : owners.phones()) {
    if (phone.partner() == partner) owned.insert(phone.mac().value());
  }
  return owned;
}

grpc::Status ProfileRenderServiceImpl::GetDeviceActivity(grpc::ServerContext*, const v1::DeviceKeyRequest* request,
                                                         common::v1::DeviceActivity* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    ASSIGN_OR_RETURN(DeviceContext device, renderer_.Device(mac));
    if (device.partner != request->partner()) return absl::NotFoundError("no profile for this phone");
    recorder_.Flush();  // resyncs queued a moment ago count
    ASSIGN_OR_RETURN(auto found, store_.LatestActivities({mac}, request->partner()));
    if (auto it = found.find(mac); it != found.end()) ToProto(it->second.activity, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::ListDeviceActivities(grpc::ServerContext* context,
                                                            const v1::ListDeviceActivitiesRequest* request,
                                                            v1::ListDeviceActivitiesResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(std::vector<std::string> macs, validation::Macs("macs", request->macs(), 1000));
    if (macs.empty()) return absl::OkStatus();
    // Reports are kept by phone, whoever owned it: only the partner's phones.
    ASSIGN_OR_RETURN(std::set<std::string> owned, OwnedBy(request->partner(), macs, server::RequestIdOf(*context)));
    recorder_.Flush();  // resyncs queued a moment ago count
    ASSIGN_OR_RETURN(auto found, store_.LatestActivities(macs, request->partner()));
    for (const std::string& mac : macs) {
      if (!owned.contains(mac)) continue;
      v1::DeviceActivityEntry& entry = *response->add_devices();
      entry.mutable_mac()->set_value(mac);
      auto it = found.find(mac);
      if (it == found.end()) continue;
      entry.set_site(it->second.site);
      ToProto(it->second.activity, entry.mutable_activity());
    }
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::ListSiteDevices(grpc::ServerContext*, const v1::ListSiteDevicesRequest* request,
                                                       v1::ListSiteDevicesResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Name("site", request->site(), 64));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed = store_.SiteDevices(request->partner(), request->site(), page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const std::string& mac : listed->first) response->add_macs()->set_value(mac);
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::Report(grpc::ServerContext* context, const v1::ReportRequest* request,
                                              v1::ReportResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    if (request->body().size() > kMaxReport) return InvalidField("body", "a report is at most 64 KiB");
    RETURN_IF_ERROR(validation::Text("source_address", request->source_address(), 64, Presence::kOptional));
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64, Presence::kOptional));
    absl::StatusOr<DeviceContext> device = renderer_.Device(mac);
    if (!device.ok() && device.status().code() != absl::StatusCode::kNotFound) return device.status();
    std::string body = request->body();
    bool authenticated = request->authenticated_channel();
    if (IsEncryptedReport(body, request->content_encoding())) {
      if (!device.ok() || !device->held_key) {
        return InvalidField("body", "an encrypted report, and this phone was handed no key");
      }
      ASSIGN_OR_RETURN(profile_crypto::DeviceKey key, keys_.Unseal(device->held_key->key));
      ASSIGN_OR_RETURN(body, OpenReport(body, request->content_encoding(), key, kMaxReport));
      authenticated = true;  // only the phone holds the key
    }
    ReportContents report = ReadReport(body);
    RETURN_IF_ERROR(
        store_.AddReport(mac, absl::Base64Escape(body), report.parameters, request->source_address(), authenticated));
    RecordReportEvent(mac, body.size(), report.parameters, authenticated, UpgradeOutcomeOf(report),
                      request->source_address(), server::RequestIdOf(*context));
    response->set_parameters(report.parameters);
    response->set_authenticated(authenticated);
    if (!device.ok()) return absl::OkStatus();
    response->set_partner(device->partner);
    ASSIGN_OR_RETURN(bool reported, ForwardUpgrade(mac, device->partner, request->model(), UpgradeOutcomeOf(report),
                                                   authenticated, server::RequestIdOf(*context)));
    response->set_upgrade_reported(reported);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

void ProfileRenderServiceImpl::RecordReportEvent(const std::string& mac, size_t bytes, int parameters,
                                                 bool authenticated, const std::optional<UpgradeOutcome>& upgrade,
                                                 const std::string& source, const std::string& request_id) {
  if (devices_ == nullptr) return;
  // The report is kept either way; a lost timeline line is only logged.
  device::v1::RecordEventsRequest events;
  device::v1::RecordEventRequest& event = *events.add_events();
  event.mutable_mac()->set_value(mac);
  event.set_kind("report");
  event.set_detail(absl::StrCat(bytes, " bytes, ", parameters, " parameters",
                                authenticated ? " (the phone's)" : " (unauthenticated)"));
  event.set_source(source);
  // An upgrade's outcome is the phone's only on its proof: anyone who knows
  // a MAC could report one (partners' webhooks must not hear it).
  if (upgrade && authenticated) {
    device::v1::RecordEventRequest& outcome = *events.add_events();
    outcome.mutable_mac()->set_value(mac);
    outcome.set_kind(upgrade->success ? "upgrade_succeeded" : "upgrade_failed");
    outcome.set_detail(absl::StrCat(upgrade->from, " to ", upgrade->to, upgrade->detail.empty() ? "" : ": ",
                                    upgrade->detail));
    outcome.set_source(source);
  }
  if (absl::Status status = devices_->RecordEvents(events, request_id).status(); !status.ok()) {
    log::Warn("timeline event lost", {{"mac", mac}, {"error", std::string(status.message())}});
  }
}

absl::StatusOr<bool> ProfileRenderServiceImpl::ForwardUpgrade(const std::string& mac, const std::string& partner,
                                                              const std::string& model,
                                                              const std::optional<UpgradeOutcome>& outcome,
                                                              bool authenticated, const std::string& request_id) {
  if (!outcome || firmware_ == nullptr || model.empty()) return false;
  firmware::v1::ReportUpgradeRequest upgrade;
  upgrade.mutable_mac()->set_value(mac);
  upgrade.set_partner(partner);
  upgrade.set_model(model);
  upgrade.set_from_version(outcome->from);
  upgrade.set_to_version(outcome->to);
  upgrade.set_outcome(outcome->success ? firmware::v1::UPGRADE_OUTCOME_SUCCESS : firmware::v1::UPGRADE_OUTCOME_FAILURE);
  upgrade.set_detail(outcome->detail);
  upgrade.set_authenticated(authenticated);
  RETURN_IF_ERROR(firmware_->ReportUpgrade(upgrade, request_id).status());
  return true;
}

}  // namespace onramp::profile
