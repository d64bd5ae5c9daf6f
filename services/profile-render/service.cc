#include "services/profile-render/service.h"

#include <openssl/rand.h>

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/firmware_version/firmware_version.h"
#include "lib/customization/customization.h"
#include "lib/flat_profile/flat_profile.h"
#include "lib/http_etag/etag.h"
#include "lib/log/log.h"
#include "lib/profile_crypto/aes128gcm.h"
#include "lib/profile_crypto/openssl_enc.h"
#include "lib/proto/messages.h"
#include "lib/server/request_id.h"
#include "lib/status/error_detail.h"
#include "lib/status/grpc_status.h"
#include "lib/status/status_macros.h"
#include "lib/validation/fields.h"
#include "services/profile-render/http_auth.h"

namespace onramp::profile {
namespace {

using status::InvalidField;
using status::ToGrpcStatus;
using validation::Presence;

constexpr int kMaxParameters = 1000;
constexpr size_t kMaxReport = 64 * 1024;
constexpr char kMasked[] = "********";

std::optional<flat_profile::UserAccess> FromProto(v1::UserAccess ua) {
  switch (ua) {
    case v1::USER_ACCESS_NA: return flat_profile::UserAccess::kNone;
    case v1::USER_ACCESS_RO: return flat_profile::UserAccess::kReadOnly;
    case v1::USER_ACCESS_RW: return flat_profile::UserAccess::kReadWrite;
    default: return std::nullopt;
  }
}

v1::UserAccess ToProto(const std::optional<flat_profile::UserAccess>& ua) {
  if (!ua) return v1::USER_ACCESS_UNSPECIFIED;
  switch (*ua) {
    case flat_profile::UserAccess::kNone: return v1::USER_ACCESS_NA;
    case flat_profile::UserAccess::kReadOnly: return v1::USER_ACCESS_RO;
    case flat_profile::UserAccess::kReadWrite: return v1::USER_ACCESS_RW;
  }
  return v1::USER_ACCESS_UNSPECIFIED;
}

std::optional<Scope> FromProto(v1::Scope scope) {
  switch (scope) {
    case v1::SCOPE_GLOBAL: return Scope::kGlobal;
    case v1::SCOPE_MODEL: return Scope::kModel;
    case v1::SCOPE_PARTNER: return Scope::kPartner;
    case v1::SCOPE_SITE: return Scope::kSite;
    case v1::SCOPE_DEVICE: return Scope::kDevice;
    default: return std::nullopt;
  }
}

v1::Scope ToProto(Scope scope) {
  return static_cast<v1::Scope>(static_cast<int>(scope) + 1);
}

v1::Encryption ToProto(Encryption encryption) {
  switch (encryption) {
    case Encryption::kNone: return v1::ENCRYPTION_NONE;
    case Encryption::kAes256Cbc: return v1::ENCRYPTION_AES_256_CBC;
    case Encryption::kAes128Gcm: return v1::ENCRYPTION_AES128GCM;
  }
  return v1::ENCRYPTION_UNSPECIFIED;
}

bool IsSecret(const LayerParameter& parameter) {
  return parameter.secret || flat_profile::IsSecretName(parameter.name);
}

void ToProto(const StoredLayer& layer, v1::Layer* out) {
  out->mutable_ref()->set_partner(layer.ref.partner);
  out->mutable_ref()->set_scope(ToProto(layer.ref.scope));
  out->mutable_ref()->set_key(layer.ref.key);
  out->set_version(layer.version);
  out->set_site(layer.settings.site);
  out->set_always_encrypt(layer.settings.always_encrypt);
  out->set_gzip(layer.settings.gzip);
  if (layer.settings.encryption) out->set_encryption(ToProto(*layer.settings.encryption));
  for (const LayerParameter& p : layer.parameters) {
    v1::Parameter* parameter = out->add_parameters();
    parameter->set_name(p.name);
    // Secrets are write-only: no reply carries them.
    parameter->set_value(IsSecret(p) ? std::string(kMasked) : p.value);
    parameter->set_ua(ToProto(p.user_access));
    parameter->set_secret(p.secret);
  }
  proto::SetTimestamp(layer.updated, out->mutable_update_time());
}

// Who may own a layer of each scope, and what its key is.
absl::StatusOr<LayerKey> CheckRef(const v1::LayerRef& ref) {
  std::optional<Scope> scope = FromProto(ref.scope());
  if (!scope) return InvalidField("ref.scope", "ref.scope is required");
  LayerKey key{.partner = ref.partner(), .scope = *scope, .key = ref.key()};
  bool operator_scope = *scope == Scope::kGlobal || *scope == Scope::kModel;
  if (operator_scope && !ref.partner().empty()) {
    return InvalidField("ref.partner", "global and model layers are the operator's: no partner");
  }
  if (!operator_scope) RETURN_IF_ERROR(validation::Name("ref.partner", ref.partner(), 64));
  switch (*scope) {
    case Scope::kGlobal:
    case Scope::kPartner:
      if (!ref.key().empty()) return InvalidField("ref.key", "this scope takes no key");
      break;
    case Scope::kModel:
    case Scope::kSite:
      RETURN_IF_ERROR(validation::Name("ref.key", ref.key(), 64));
      break;
    case Scope::kDevice: {
      ASSIGN_OR_RETURN(key.key, validation::Mac("ref.key", ref.key()));
      break;
    }
  }
  return key;
}

std::string RandomHex(size_t bytes) {
  std::string random(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), static_cast<int>(bytes));
  return absl::BytesToHexString(random);
}

// What a report (or a POST resync's body) says, when it is a flat profile;
// `parameters` counts them (0 for any other body).
std::map<std::string, std::string> ReportValues(std::string_view body, int* parameters) {
  std::map<std::string, std::string> values;
  *parameters = 0;
  if (absl::StatusOr<flat_profile::ParseResult> parsed = flat_profile::Parse(body); parsed.ok()) {
    *parameters = static_cast<int>(parsed->profile.parameters.size());
    for (const flat_profile::Parameter& parameter : parsed->profile.parameters) {
      values[parameter.name] = parameter.value.value_or("");
    }
  }
  return values;
}

std::string CacheKey(int64_t generation, const std::string& mac, const v1::RenderRequest& request,
                     const DeviceContext& device) {
  return absl::StrCat(generation, "|", mac, "|", device.held_key ? device.held_key->key.key_id : "-", "|",
                      request.source_address(), "|", request.device().model(), "|",
                      request.device().serial(), "|", request.device().firmware_version(), "|",
                      request.authenticated_channel() ? 1 : 0);
}

}  // namespace

DeliveryRecorder::DeliveryRecorder(ProfileStore& store, clients::DeviceActivation* timeline)
    : store_(store), timeline_(timeline), event_id_prefix_(RandomHex(8)), thread_([this] { Run(); }) {}

DeliveryRecorder::~DeliveryRecorder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void DeliveryRecorder::Record(ProfileStore::DeliveryRow row) {
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(row));
  if (queue_.size() >= 500) wake_.notify_all();
}

void DeliveryRecorder::Flush() {
  std::lock_guard flushing(flush_mutex_);
  std::vector<ProfileStore::DeliveryRow> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(queue_);
  }
  // Delivery rows that could not be written go again with the new ones.
  unwritten_.insert(unwritten_.end(), batch.begin(), batch.end());
  std::vector<ProfileStore::DeliveryRow> rows(unwritten_.begin(), unwritten_.end());
  if (absl::Status status = store_.RecordDeliveries(rows); status.ok()) {
    unwritten_.clear();
  } else {
    log::Warn("delivery records not written; kept for the next flush",
              {{"count", static_cast<int64_t>(rows.size())}, {"error", std::string(status.message())}});
    KeepAtMost(unwritten_, "delivery records");
  }
  if (timeline_ == nullptr) return;
  for (const ProfileStore::DeliveryRow& row : batch) {
    // New profiles only (a phone's unchanged one is no news). Only a
    // profile the phone itself fetched (an authenticated channel) counts
    // as delivered, which makes it Acquired; other fetches are noted as such.
    std::string seen = absl::StrCat(row.etag, row.authenticated ? "|phone" : "|anyone");
    std::string& last = last_etag_[row.mac];
    if (last == seen) continue;
    last = seen;
    device::v1::RecordEventRequest& event = unsent_.emplace_back();
    event.mutable_mac()->set_value(row.mac);
    event.set_kind(row.authenticated ? customization::kProfileDeliveredEvent : customization::kProfileFetchedEvent);
    event.set_detail(absl::StrCat("etag ", row.etag));
    event.set_source("profile-render");
    // Sent until device-activation takes it, which records an id once.
    event.set_event_id(absl::StrCat(event_id_prefix_, "-", ++events_made_));
  }
  // A call per 500; what a failed call held waits for the next flush.
  constexpr size_t kEventsPerCall = 500;
  while (!unsent_.empty()) {
    size_t count = std::min(kEventsPerCall, unsent_.size());
    device::v1::RecordEventsRequest events;
    events.mutable_events()->Assign(unsent_.begin(), unsent_.begin() + static_cast<long>(count));
    if (absl::Status status = timeline_->RecordEvents(events, "").status(); !status.ok()) {
      log::Warn("timeline events not taken; kept for the next flush",
                {{"count", static_cast<int64_t>(unsent_.size())}, {"error", std::string(status.message())}});
      KeepAtMost(unsent_, "timeline events");
      return;
    }
    unsent_.erase(unsent_.begin(), unsent_.begin() + static_cast<long>(count));
  }
}

template <typename Item>
void DeliveryRecorder::KeepAtMost(std::deque<Item>& items, const char* what) {
  if (items.size() <= kMaxKept) return;
  log::Error("an outage outlasted the backlog: the oldest dropped",
             {{"what", what}, {"count", static_cast<int64_t>(items.size() - kMaxKept)}});
  items.erase(items.begin(), items.begin() + static_cast<long>(items.size() - kMaxKept));
}

void DeliveryRecorder::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_for(lock, std::chrono::milliseconds(200));
    bool stopping = stopping_;
    lock.unlock();
    Flush();
    lock.lock();
    if (stopping) return;
  }
}

GenerationWatcher::GenerationWatcher(ProfileStore& store, absl::Duration poll)
    : store_(store), thread_([this, poll] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
          lock.unlock();
          Refresh();
          lock.lock();
          wake_.wait_for(lock, absl::ToChronoMilliseconds(poll));
        }
      }) {}

GenerationWatcher::~GenerationWatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void GenerationWatcher::Refresh() {
  absl::StatusOr<int64_t> generation = store_.Generation();
  if (!generation.ok()) {
    log::Warn("cannot read the layer generation", {{"error", std::string(generation.status().message())}});
    return;
  }
  // Only forward: a slow poll must not undo a newer refresh.
  int64_t seen = generation_.load();
  while (*generation > seen && !generation_.compare_exchange_weak(seen, *generation)) {
  }
}

ProfileRenderServiceImpl::ProfileRenderServiceImpl(ProfileStore& store,
                                                   profile_crypto::Sealer key_sealer,
                                                   prometheus::Registry& registry,
                                                   size_t cache_capacity,
                                                   absl::Duration generation_poll,
                                                   clients::DeviceActivation* timeline,
                                                   clients::FirmwareCatalog* firmware)
    : store_(store),
      key_sealer_(std::move(key_sealer)),
      timeline_(timeline),
      firmware_(firmware),
      cache_(cache_capacity),
      recorder_(store, timeline),
      generation_poll_(generation_poll),
      generation_(store, generation_poll),
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
    if (request->parameters_size() > kMaxParameters) {
      return InvalidField("parameters", "a layer holds at most 1000 parameters");
    }
    std::vector<LayerParameter> parameters;
    std::set<std::string> names;
    for (int i = 0; i < request->parameters_size(); ++i) {
      const v1::Parameter& p = request->parameters(i);
      LayerParameter parameter{p.name(), p.value(), FromProto(p.ua()), p.secret()};
      std::string field = absl::StrCat("parameters[", i, "]");
      RETURN_IF_ERROR(ValidateParameter(field, parameter));
      if (!names.insert(p.name()).second) {
        return InvalidField(field + ".name", absl::StrCat(p.name(), " appears twice"));
      }
      parameters.push_back(std::move(parameter));
    }
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
    std::optional<StoredLayer> current;
    for (size_t i = 0; i < parameters.size(); ++i) {
      LayerParameter& parameter = parameters[i];
      if (parameter.value != kMasked || !IsSecret(parameter)) continue;
      if (!current) {
        absl::StatusOr<StoredLayer> found = store_.GetLayer(ref);
        if (!found.ok() && found.status().code() != absl::StatusCode::kNotFound) return found.status();
        current = found.ok() ? *std::move(found) : StoredLayer();
      }
      auto kept = std::find_if(current->parameters.begin(), current->parameters.end(),
                               [&](const LayerParameter& old) { return old.name == parameter.name; });
      if (kept == current->parameters.end()) {
        return InvalidField(absl::StrCat("parameters[", i, "].value"),
                            absl::StrCat(kMasked, " keeps a secret's value, and ", parameter.name, " has none yet"));
      }
      parameter.value = kept->value;
    }
    ASSIGN_OR_RETURN(StoredLayer stored,
                     store_.PutLayer(ref, parameters, settings, request->if_version()));
    Written();
    ToProto(stored, response);
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
    Written();
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
    Written();
    response->set_partner(request->partner());
    response->set_version(version);
    response->set_text(request->text());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

absl::StatusOr<profile_crypto::DeviceKey> ProfileRenderServiceImpl::Unseal(const SealedKey& key) {
  std::string sealed;
  if (!absl::Base64Unescape(key.sealed, &sealed)) return absl::DataLossError("sealed key is not base64");
  ASSIGN_OR_RETURN(std::string hex, key_sealer_.Open(sealed));
  return profile_crypto::DeviceKey::FromHex(hex);
}

absl::StatusOr<SealedKey> ProfileRenderServiceImpl::NewKey(const std::string& mac, bool only_if_none) {
  ASSIGN_OR_RETURN(profile_crypto::DeviceKey fresh, profile_crypto::DeviceKey::Generate());
  return store_.AddDeviceKey(mac, absl::Base64Escape(key_sealer_.Seal(fresh.ToHex())), only_if_none);
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
    Written();
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
    ASSIGN_OR_RETURN(DeviceContext device, Device(mac));
    if (device.partner != request->partner()) return absl::NotFoundError("no profile for this phone");
    ASSIGN_OR_RETURN(SealedKey key, NewKey(mac, /*only_if_none=*/false));
    Written();
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
    ASSIGN_OR_RETURN(profile_crypto::DeviceKey fresh, profile_crypto::DeviceKey::Generate());
    ASSIGN_OR_RETURN(HeldKey held, store_.DeliverKey(mac, absl::Base64Escape(key_sealer_.Seal(fresh.ToHex()))));
    Written();
    {
      // This replica's next render for the phone uses its key at once.
      std::lock_guard lock(devices_mutex_);
      devices_.erase(mac);
    }
    ASSIGN_OR_RETURN(profile_crypto::DeviceKey key, Unseal(held.key));
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
    Written();
    log::Info("device forgotten", {{"mac", mac}, {"released_by", request->partner()}});
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::Render(grpc::ServerContext* context, const v1::RenderRequest* request,
                                              v1::RenderResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("device.mac", request->device().mac().value()));
    RETURN_IF_ERROR(validation::Name("device.model", request->device().model(), 64));
    RETURN_IF_ERROR(validation::Text("device.serial", request->device().serial(), 64, Presence::kOptional));
    RETURN_IF_ERROR(validation::Text("device.firmware_version", request->device().firmware_version(), 128,
                                     Presence::kOptional));
    ASSIGN_OR_RETURN(DeviceContext device, Device(mac));
    if (device.http_auth) {
      // The partner's HTTP authentication comes before anything else.
      AuthCheck check = CheckAuthorization(*device.http_auth, request->authorization(), request->method(),
                                           request->request_uri(), key_sealer_, absl::Now());
      if (check != AuthCheck::kAccepted) {
        for (std::string& challenge : Challenges(*device.http_auth, key_sealer_, absl::Now(), check == AuthCheck::kStale)) {
          response->add_challenges(std::move(challenge));
        }
        renders_.Add({{"how", "challenged"}}).Increment();
        return absl::OkStatus();
      }
    }
    if (request->method() == "POST" && !request->post_body().empty()) {
      // The phone's status in its POST resync, kept as a report is.
      if (request->post_body().size() > kMaxReport) return InvalidField("post_body", "a POST body is at most 64 KiB");
      int parameters = 0;
      ReportValues(request->post_body(), &parameters);
      RETURN_IF_ERROR(store_.AddReport(mac, absl::Base64Escape(request->post_body()), parameters,
                                       request->source_address()));
    }
    std::string upgrade_rule = NextUpgradeRule(mac, *request, device, server::RequestIdOf(*context));
    std::string cache_key = absl::StrCat(CacheKey(device.generation, mac, *request, device), "|", upgrade_rule);
    std::shared_ptr<const Rendered> rendered = cache_.Find(cache_key);
    const char* how = "cached";
    if (rendered == nullptr) {
      how = "rendered";
      ASSIGN_OR_RETURN(RenderSources sources, store_.Sources(mac, request->device().model(), device));
      // A phone that holds a key gets every profile encrypted with it, for
      // the cipher it was handed (its rule may say --key): no other would
      // open.
      RenderInput input{.layers = std::move(sources.layers),
                        .template_text = std::move(sources.template_text),
                        .gzip = device.settings.gzip,
                        .encryption = device.held_key ? device.held_key->encryption
                                                      : device.settings.encryption.value_or(Encryption::kAes256Cbc),
                        .always_encrypt = device.settings.always_encrypt || device.held_key.has_value(),
                        .authenticated_channel = request->authenticated_channel(),
                        .model_parameters = std::move(sources.model_parameters)};
      if (!upgrade_rule.empty()) {
        // The next hop of the phone's upgrade path, over whatever the
        // layers say about upgrades.
        input.layers.push_back(
            {.scope = Scope::kDevice,
             .parameters = {{.name = "Upgrade_Enable", .value = "Yes", .user_access = flat_profile::UserAccess::kNone},
                            {.name = "Upgrade_Rule", .value = upgrade_rule,
                             .user_access = flat_profile::UserAccess::kNone}}});
      }
      input.device.mac = *identity::MacAddress::Parse(mac);
      input.device.model = request->device().model();
      input.device.serial = request->device().serial();
      input.device.firmware = request->device().firmware_version();
      input.device.partner = device.partner;
      input.device.site = device.settings.site;
      input.device.source_address = request->source_address();
      // The key the phone holds: the one it was handed, else its newest
      // (which encrypts what nobody may read in the clear).
      std::optional<SealedKey> sealed;
      if (device.held_key) {
        sealed = device.held_key->key;
      } else {
        ASSIGN_OR_RETURN(sealed, store_.DeviceKey(mac));
      }
      if (sealed) {
        ASSIGN_OR_RETURN(input.key, Unseal(*sealed));
        input.key_id = sealed->key_id;
      }
      absl::StatusOr<Rendered> made = profile::Render(input);
      if (made.status().code() == absl::StatusCode::kFailedPrecondition && !input.key) {
        // First need of a key: the profile must be encrypted for this phone.
        ASSIGN_OR_RETURN(SealedKey created, NewKey(mac, /*only_if_none=*/true));
        ASSIGN_OR_RETURN(input.key, Unseal(created));
        input.key_id = created.key_id;
        made = profile::Render(input);
      }
      if (!made.ok()) return made.status();
      dropped_.Increment(static_cast<double>(made->dropped.size()));
      made->key_id = made->encryption == Encryption::kNone ? "" : input.key_id;
      rendered = std::make_shared<const Rendered>(*std::move(made));
      cache_.Put(cache_key, rendered);
    }
    response->set_etag(rendered->etag);
    response->set_has_secrets(rendered->has_secrets);
    response->set_encryption(ToProto(rendered->encryption));
    response->set_key_id(rendered->key_id);
    if (http_etag::NoneMatchFails(request->if_none_match(), rendered->etag)) {
      response->set_not_modified(true);
      how = "not_modified";
    } else {
      response->set_body(rendered->body);
      response->set_content_type(rendered->content_type);
      response->set_content_encoding(rendered->content_encoding);
    }
    recorder_.Record({mac, rendered->etag, rendered->parameters, request->authenticated_channel(), device.partner});
    renders_.Add({{"how", how}}).Increment();
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
                                        .ha1 = Ha1(request->username(), request->realm(), request->password())}));
    WrittenEverywhere();
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
    WrittenEverywhere();
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

void ProfileRenderServiceImpl::WrittenEverywhere() {
  Written();
  // Each replica reads the generation every poll; two polls and the read's
  // own time are past when this returns.
  absl::SleepFor(2 * generation_poll_ + absl::Milliseconds(50));
}

std::string ProfileRenderServiceImpl::NextUpgradeRule(const std::string& mac, const v1::RenderRequest& request,
                                                      const DeviceContext& device, const std::string& request_id) {
  // Only a full firmware version (the phone's $SWVER, e.g. from its rule's
  // URL) can be planned from; the User-Agent's "12.0.1" cannot.
  const std::string& current = request.device().firmware_version();
  if (firmware_ == nullptr || device.partner.empty() || !firmware::ParseVersion(current).ok()) return "";
  firmware::v1::PlanUpgradeRequest plan;
  plan.mutable_mac()->set_value(mac);
  plan.set_model(request.device().model());
  plan.set_current_version(current);
  plan.set_partner(device.partner);
  absl::StatusOr<firmware::v1::PlanUpgradeResponse> planned = firmware_->PlanUpgrade(plan, request_id);
  if (!planned.ok()) {
    // The profile still goes out, without an upgrade this time.
    if (planned.status().code() != absl::StatusCode::kNotFound) {
      log::Warn("upgrade plan failed", {{"mac", mac}, {"error", std::string(planned.status().message())}});
    }
    return "";
  }
  return planned->up_to_date() ? "" : planned->upgrade_rule();
}

absl::StatusOr<DeviceContext> ProfileRenderServiceImpl::Device(const std::string& mac) {
  int64_t generation = generation_.current();
  absl::Time now = absl::Now();
  {
    // A phone that holds no key may be handed one by another replica at any
    // moment (without a generation bump, which would empty every cache), so
    // its context is kept only as long as a generation poll; one with a held
    // key changes only with the generation.
    std::lock_guard lock(devices_mutex_);
    auto found = devices_.find(mac);
    if (found != devices_.end() && found->second.context.generation == generation &&
        (found->second.context.held_key || now - found->second.read < generation_poll_)) {
      return found->second.context;
    }
  }
  ASSIGN_OR_RETURN(DeviceContext device, store_.Device(mac));
  if (device.generation > generation) generation_.Refresh();
  std::lock_guard lock(devices_mutex_);
  // Entries of older generations are dead weight: drop them all at once.
  if (devices_.size() > 1000000) devices_.clear();
  devices_[mac] = CachedDevice{.context = device, .read = now};
  return device;
}

absl::StatusOr<std::vector<LayerParameter>> ProfileRenderServiceImpl::Current(
    const v1::PreviewRequest& request, std::string* mac) {
  RETURN_IF_ERROR(validation::Name("partner", request.partner(), 64));
  ASSIGN_OR_RETURN(*mac, validation::Mac("mac", request.mac().value()));
  RETURN_IF_ERROR(validation::Name("model", request.model(), 64, Presence::kOptional));
  ASSIGN_OR_RETURN(DeviceContext device, store_.Device(*mac));
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
    std::map<std::string, const LayerParameter*> before;
    if (last) {
      response->set_delivered_etag(last->etag);
      proto::SetTimestamp(last->at, response->mutable_delivered_time());
      for (const LayerParameter& p : last->parameters) before[p.name] = &p;
    }
    auto shown = [&](const LayerParameter& p) {
      return p.secret && !request->reveal_secrets() ? std::string(kMasked) : p.value;
    };
    for (const LayerParameter& p : now) {
      auto found = before.find(p.name);
      if (found == before.end()) {
        v1::ParameterChange* change = response->add_changes();
        change->set_name(p.name);
        change->set_after(shown(p));
        change->set_added(true);
      } else {
        if (found->second->value != p.value) {
          v1::ParameterChange* change = response->add_changes();
          change->set_name(p.name);
          change->set_before(shown(*found->second));
          change->set_after(shown(p));
        }
        before.erase(found);
      }
    }
    for (const auto& [name, p] : before) {
      v1::ParameterChange* change = response->add_changes();
      change->set_name(name);
      change->set_before(shown(*p));
      change->set_removed(true);
    }
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ProfileRenderServiceImpl::Report(grpc::ServerContext* context, const v1::ReportRequest* request,
                                              v1::ReportResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    if (request->body().size() > kMaxReport) return InvalidField("body", "a report is at most 64 KiB");
    RETURN_IF_ERROR(
        validation::Text("source_address", request->source_address(), 64, Presence::kOptional));
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64, Presence::kOptional));
    absl::StatusOr<DeviceContext> device = store_.Device(mac);
    if (!device.ok() && device.status().code() != absl::StatusCode::kNotFound) return device.status();
    std::string body = request->body();
    bool authenticated = request->authenticated_channel();
    // A report encrypted with the key the phone holds (Report_Rule --key,
    // or its IKM) could only come from the phone.
    bool aes128gcm = request->content_encoding() == "aes128gcm";
    if (aes128gcm || body.starts_with("Salted__")) {
      if (!device.ok() || !device->held_key) {
        return InvalidField("body", "an encrypted report, and this phone was handed no key");
      }
      ASSIGN_OR_RETURN(profile_crypto::DeviceKey key, Unseal(device->held_key->key));
      absl::StatusOr<std::string> opened;
      if (aes128gcm) {
        opened = profile_crypto::DecodeAes128Gcm(body, key.Ikm(), kMaxReport);
      } else if (absl::StatusOr<profile_crypto::DecryptedProfile> decrypted =
                     profile_crypto::DecryptOpensslEnc(body, key.Passphrase());
                 decrypted.ok()) {
        opened = std::move(decrypted->plaintext);
      } else {
        opened = decrypted.status();
      }
      if (!opened.ok()) return InvalidField("body", "the report does not open with the phone's key");
      body = *std::move(opened);
      authenticated = true;
    }
    int parameters = 0;
    std::map<std::string, std::string> values = ReportValues(body, &parameters);
    RETURN_IF_ERROR(store_.AddReport(mac, absl::Base64Escape(body), parameters, request->source_address()));
    if (timeline_ != nullptr) {
      // The report is kept either way; a lost timeline line is only logged.
      device::v1::RecordEventsRequest events;
      device::v1::RecordEventRequest& event = *events.add_events();
      event.mutable_mac()->set_value(mac);
      event.set_kind("report");
      event.set_detail(absl::StrCat(body.size(), " bytes, ", parameters, " parameters",
                                    authenticated ? " (the phone's)" : " (unauthenticated)"));
      event.set_source(request->source_address());
      if (absl::Status status = timeline_->RecordEvents(events, server::RequestIdOf(*context)).status();
          !status.ok()) {
        log::Warn("timeline event lost", {{"mac", mac}, {"error", std::string(status.message())}});
      }
    }
    response->set_parameters(parameters);
    response->set_authenticated(authenticated);
    if (!device.ok()) return absl::OkStatus();
    response->set_partner(device->partner);
    ASSIGN_OR_RETURN(bool reported, ForwardUpgrade(mac, device->partner, request->model(), values, authenticated,
                                                   server::RequestIdOf(*context)));
    response->set_upgrade_reported(reported);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

absl::StatusOr<bool> ProfileRenderServiceImpl::ForwardUpgrade(const std::string& mac, const std::string& partner,
                                                              const std::string& model,
                                                              const std::map<std::string, std::string>& values,
                                                              bool authenticated, const std::string& request_id) {
  // Upgrade_Status ("success" or "failed ..."; $UPGST), Upgrade_Error
  // ($UPGERR), Upgrade_From and Upgrade_To (To defaults to
  // Software_Version, $SWVER).
  auto value = [&values](const char* name) {
    auto found = values.find(name);
    return found == values.end() ? std::string() : found->second;
  };
  std::string status = absl::AsciiStrToLower(value("Upgrade_Status"));
  bool success = absl::StartsWith(status, "success") || absl::StartsWith(status, "ok");
  bool failure = absl::StartsWith(status, "fail") || absl::StartsWith(status, "error");
  if ((!success && !failure) || firmware_ == nullptr || model.empty()) return false;
  firmware::v1::ReportUpgradeRequest outcome;
  outcome.mutable_mac()->set_value(mac);
  outcome.set_partner(partner);
  outcome.set_model(model);
  outcome.set_from_version(value("Upgrade_From"));
  outcome.set_to_version(value("Upgrade_To").empty() ? value("Software_Version") : value("Upgrade_To"));
  outcome.set_outcome(success ? firmware::v1::UPGRADE_OUTCOME_SUCCESS : firmware::v1::UPGRADE_OUTCOME_FAILURE);
  outcome.set_detail(value("Upgrade_Error"));
  outcome.set_authenticated(authenticated);
  RETURN_IF_ERROR(firmware_->ReportUpgrade(outcome, request_id).status());
  return true;
}

}  // namespace onramp::profile
