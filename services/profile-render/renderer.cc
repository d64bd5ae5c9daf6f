#include "services/profile-render/renderer.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/kit/log/log.h"
#include "lib/kit/status/status_macros.h"
#include "lib/phone/firmware_version/firmware_version.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/tr069/credentials.h"
#include "lib/phone/identity/mac_address.h"
#include "lib/http/auth/digest_check.h"

namespace onramp::profile {
namespace {

std::string CacheKey(const DeviceContext& device, const Resync& resync, const std::string& upgrade_rule) {
  return absl::StrCat(device.generation, "|", resync.mac, "|", device.held_key ? device.held_key->key.key_id : "-",
                      "|", resync.source_address, "|", resync.model, "|", resync.serial, "|",
                      resync.firmware_version, "|", resync.authenticated_channel ? 1 : 0, "|", upgrade_rule);
}

}  // namespace

Renderer::Renderer(ProfileStore& store, DeviceKeys& keys, clients::FirmwareCatalog* firmware,
                   clients::DeviceActivation* owners, size_t cache_capacity, absl::Duration generation_poll,
                   std::string tr069_credentials_secret, RenderChanges* changes)
    : store_(store),
      keys_(keys),
      firmware_(firmware),
      owners_(owners),
      tr069_credentials_secret_(std::move(tr069_credentials_secret)),
      cache_(cache_capacity),
      generation_poll_(generation_poll),
      changes_(changes),
      generation_(store, generation_poll, [changes](int64_t generation) {
        if (changes != nullptr) changes->Publish(generation);
      }) {}

absl::StatusOr<DeviceContext> Renderer::Device(const std::string& mac) {
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
  absl::StatusOr<DeviceContext> read = store_.Device(mac);
  if (read.status().code() == absl::StatusCode::kNotFound && owners_ != nullptr) {
    // No device layer: a claimed phone still gets its partner's, site-less.
    device::v1::OwnerRequest request;
    request.mutable_mac()->set_value(mac);
    absl::StatusOr<device::v1::Owner> owner = owners_->GetOwner(request, "");
    if (!owner.ok()) {
      return owner.status().code() == absl::StatusCode::kNotFound ? absl::NotFoundError("no profile for this phone")
                                                                 : owner.status();
    }
    read = store_.Device(mac, owner->partner());
  }
  ASSIGN_OR_RETURN(DeviceContext device, std::move(read));
  if (device.generation > generation) generation_.Refresh();
  std::lock_guard lock(devices_mutex_);
  // Entries of older generations are dead weight: drop them all at once.
  if (devices_.size() > 1000000) devices_.clear();
  devices_[mac] = CachedDevice{.context = device, .read = now};
  return device;
}

void Renderer::Forget(const std::string& mac) {
  {
    std::lock_guard lock(devices_mutex_);
    devices_.erase(mac);
  }
  if (changes_ != nullptr) changes_->Publish(generation_.current(), {mac});
}

void Renderer::WrittenEverywhere() {
  Written();
  // Each replica reads the generation every poll; two polls and the read's
  // own time are past when this returns.
  absl::SleepFor(2 * generation_poll_ + absl::Milliseconds(50));
}

std::vector<std::string> Renderer::Challenges(const DeviceContext& device, const Resync& resync) const {
  if (!device.http_auth) return {};
  absl::Time now = absl::Now();
  http_auth::AuthCheck check = http_auth::CheckAuthorization(*device.http_auth, resync.authorization, resync.method, resync.request_uri,
                                       keys_.sealer(), now);
  if (check == http_auth::AuthCheck::kAccepted) return {};
  return http_auth::Challenges(*device.http_auth, keys_.sealer(), now, check == http_auth::AuthCheck::kStale);
}

namespace {

// Whether the layers set an ACS_URL (the last layer that sets it wins).
bool NamesAnAcs(const std::vector<Layer>& layers) {
  bool named = false;
  for (const Layer& layer : layers) {
    for (const LayerParameter& parameter : layer.parameters) {
      if (parameter.name == "ACS_URL") named = !parameter.value.empty();
    }
  }
  return named;
}

}  // namespace

absl::StatusOr<Rendering> Renderer::Render(const DeviceContext& device, const Resync& resync) {
  std::string upgrade_rule = NextUpgradeRule(device, resync);
  std::string cache_key = CacheKey(device, resync, upgrade_rule);
  if (std::shared_ptr<const Rendered> cached = cache_.Find(cache_key)) {
    return Rendering{.rendered = cached, .cached = true, .edge_max_age = EdgeMaxAge(device, resync),
                     .generation = device.generation};
  }

  ASSIGN_OR_RETURN(RenderSources sources, store_.Sources(resync.mac, resync.model, device));
  // A phone that holds a key gets every profile encrypted with it, for the
  // cipher it was handed (its rule may say --key): no other would open.
  RenderInput input{.layers = std::move(sources.layers),
                    .template_text = std::move(sources.template_text),
                    .gzip = device.settings.gzip,
                    .encryption = device.held_key ? device.held_key->encryption
                                                  : device.settings.encryption.value_or(Encryption::kAes256Cbc),
                    .always_encrypt = device.settings.always_encrypt || device.held_key.has_value(),
                    .authenticated_channel = resync.authenticated_channel,
                    .model_parameters = std::move(sources.model_parameters)};
  if (!upgrade_rule.empty()) {
    // The next hop of the phone's upgrade path, over whatever the layers
    // say about upgrades.
    input.layers.push_back(
        {.scope = Scope::kDevice,
         .parameters = {{.name = "Upgrade_Enable", .value = "Yes", .user_access = flat_profile::UserAccess::kNone},
                        {.name = "Upgrade_Rule", .value = upgrade_rule,
                         .user_access = flat_profile::UserAccess::kNone}}});
  }
  if (!tr069_credentials_secret_.empty() && NamesAnAcs(input.layers)) {
    // The phone's own ACS credentials, for a phone that has no certificate
    // the ACS takes (secrets: they travel as the profile's other secrets do).
    tr069::Credentials own = tr069::AcsCredentials(tr069_credentials_secret_, resync.mac);
    input.layers.push_back(
        {.scope = Scope::kDevice,
         .parameters = {{.name = "ACS_Username", .value = own.username, .user_access = flat_profile::UserAccess::kNone},
                        {.name = "ACS_Password", .value = own.password,
                         .user_access = flat_profile::UserAccess::kNone, .secret = true}}});
  }
  input.device.mac = *identity::MacAddress::Parse(resync.mac);
  input.device.model = resync.model;
  input.device.serial = resync.serial;
  input.device.firmware = resync.firmware_version;
  input.device.partner = device.partner;
  input.device.site = device.settings.site;
  input.device.source_address = resync.source_address;
  // The key the phone holds: the one it was handed, else its newest (which
  // encrypts what nobody may read in the clear).
  std::optional<SealedKey> sealed;
  if (device.held_key) {
    sealed = device.held_key->key;
  } else {
    ASSIGN_OR_RETURN(sealed, store_.DeviceKey(resync.mac));
  }
  if (sealed) {
    ASSIGN_OR_RETURN(input.key, keys_.Unseal(*sealed));
    input.key_id = sealed->key_id;
  }
  absl::StatusOr<Rendered> made = profile::Render(input);
  if (made.status().code() == absl::StatusCode::kFailedPrecondition && !input.key) {
    // First need of a key: the profile must be encrypted for this phone.
    ASSIGN_OR_RETURN(SealedKey created, keys_.Add(resync.mac, /*only_if_none=*/true));
    ASSIGN_OR_RETURN(input.key, keys_.Unseal(created));
    input.key_id = created.key_id;
    made = profile::Render(input);
  }
  if (!made.ok()) return made.status();
  made->key_id = made->encryption == Encryption::kNone ? "" : input.key_id;
  int dropped = static_cast<int>(made->dropped.size());
  auto rendered = std::make_shared<const Rendered>(*std::move(made));
  cache_.Put(cache_key, rendered);
  return Rendering{.rendered = rendered, .dropped = dropped, .edge_max_age = EdgeMaxAge(device, resync),
                   .generation = device.generation};
}

bool Renderer::Plans(const DeviceContext& device, const Resync& resync) const {
  // Only a full firmware version (the phone's $SWVER, e.g. from its rule's
  // URL) can be planned from; the User-Agent's "12.0.1" cannot.
  return firmware_ != nullptr && !device.partner.empty() &&
         firmware_version::ParseVersion(resync.firmware_version).ok();
}

std::optional<absl::Duration> Renderer::EdgeMaxAge(const DeviceContext& device, const Resync& resync) const {
  // Each request of a partner's HTTP authentication is checked anew.
  if (device.http_auth || Plans(device, resync)) return std::nullopt;
  // The same terms as this replica's own context cache (Device above).
  return device.held_key ? absl::InfiniteDuration() : generation_poll_;
}

std::string Renderer::NextUpgradeRule(const DeviceContext& device, const Resync& resync) {
  if (!Plans(device, resync)) return "";
  firmware::v1::PlanUpgradeRequest plan;
  plan.mutable_mac()->set_value(resync.mac);
  plan.set_model(resync.model);
  plan.set_current_version(resync.firmware_version);
  plan.set_partner(device.partner);
  absl::StatusOr<firmware::v1::PlanUpgradeResponse> planned = firmware_->PlanUpgrade(plan, resync.request_id);
  if (!planned.ok()) {
    // The profile still goes out, without an upgrade this time.
    if (planned.status().code() != absl::StatusCode::kNotFound) {
      log::Warn("upgrade plan failed", {{"mac", resync.mac}, {"error", std::string(planned.status().message())}});
    }
    return "";
  }
  return planned->up_to_date() ? "" : planned->upgrade_rule();
}

}  // namespace onramp::profile
