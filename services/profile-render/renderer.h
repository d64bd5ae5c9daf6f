#ifndef ONRAMP_SERVICES_PROFILE_RENDER_RENDERER_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_RENDERER_H_

// A phone's resync answered, without a transport: its context (partner,
// site, the key it holds, its partner's HTTP authentication), the next hop
// of its upgrade plan (firmware-catalog), and the profile, from the render
// cache or rendered (render.h) with the key it must be encrypted with and
// cached. Caches are keyed by the layer generation, which every write
// bumps, so nothing stale is served; a replica learns other replicas'
// writes within a generation poll.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/cache/lru_cache.h"
#include "lib/kit/clients/device_activation.h"
#include "lib/kit/clients/firmware_catalog.h"
#include "services/profile-render/device_keys.h"
#include "services/profile-render/generation_watcher.h"
#include "services/profile-render/render.h"
#include "services/profile-render/render_changes.h"
#include "services/profile-render/store.h"

namespace onramp::profile {

// What a resync brings, checked.
struct Resync {
  std::string mac;  // $MA form
  std::string model;
  std::string serial;
  std::string firmware_version;  // a whole $SWVER can be planned from
  std::string source_address;
  bool authenticated_channel = false;
  // For the partner's HTTP authentication.
  std::string method;
  std::string authorization;
  std::string request_uri;
  std::string request_id;
};

struct Rendering {
  std::shared_ptr<const Rendered> rendered;
  bool cached = false;
  int dropped = 0;  // parameters left out because the model lacks them (when rendered)
  // How long a gateway may answer the same request from a copy while the
  // generation holds (infinite: as long as it holds); unset: never (the
  // answer depends on more than the generation and the phone's context).
  std::optional<absl::Duration> edge_max_age;
  int64_t generation = 0;
};

class Renderer {
 public:
  // `owners` (device-activation; may be null: device layers only) names the
  // partner of a phone that has no device layer.
  // With `tr069_credentials_secret`, a profile that names a TR-069 ACS
  // (ACS_URL) carries the phone's own ACS credentials
  // (lib/phone/tr069/credentials.h), which the ACS checks.
  Renderer(ProfileStore& store, DeviceKeys& keys, clients::FirmwareCatalog* firmware,
           clients::DeviceActivation* owners, size_t cache_capacity, absl::Duration generation_poll,
           std::string tr069_credentials_secret = "", RenderChanges* changes = nullptr);

  // The phone's context, from memory while the generation holds: its
  // device layer's, or for a claimed phone without one its owner's
  // defaults. NOT_FOUND: neither.
  absl::StatusOr<DeviceContext> Device(const std::string& mac);
  // The partner's challenges when its HTTP authentication wants the
  // request (again); empty when it has none or the request passes.
  std::vector<std::string> Challenges(const DeviceContext& device, const Resync& resync) const;
  absl::StatusOr<Rendering> Render(const DeviceContext& device, const Resync& resync);

  // After a write here: every cached render and device is stale (and
  // watching gateways are told, by the generation watcher).
  void Written() { generation_.Refresh(); }
  // After a write whose effect a caller must see on every replica at once
  // (a partner's HTTP authentication): returns once every replica has
  // polled the new generation.
  void WrittenEverywhere();
  // This replica's next render for the phone reads its context again, and
  // watching gateways drop their copies of its answers.
  void Forget(const std::string& mac);

 private:
  // The next Upgrade_Rule of the phone's plan, or "" (none, or no plan to
  // be had: the profile goes out without one).
  std::string NextUpgradeRule(const DeviceContext& device, const Resync& resync);
  // Whether the phone's upgrade plan is asked on each render (it may change
  // with any rollout, which the layer generation does not follow).
  bool Plans(const DeviceContext& device, const Resync& resync) const;
  std::optional<absl::Duration> EdgeMaxAge(const DeviceContext& device, const Resync& resync) const;

  ProfileStore& store_;
  DeviceKeys& keys_;
  clients::FirmwareCatalog* firmware_;
  clients::DeviceActivation* owners_;
  const std::string tr069_credentials_secret_;
  cache::LruCache<Rendered> cache_;  // by generation, phone and what it sent
  const absl::Duration generation_poll_;
  RenderChanges* changes_;
  GenerationWatcher generation_;
  struct CachedDevice {
    DeviceContext context;
    absl::Time read;
  };
  std::mutex devices_mutex_;
  std::unordered_map<std::string, CachedDevice> devices_;
};

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_RENDERER_H_
