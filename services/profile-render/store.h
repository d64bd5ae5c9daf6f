#ifndef ONRAMP_SERVICES_PROFILE_RENDER_STORE_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_STORE_H_

// The only place that speaks SQL for profile rendering (schema "profile").

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/store/pool.h"
#include "lib/http/auth/digest_check.h"
#include "services/profile-render/render.h"

namespace onramp::profile {

struct LayerKey {
  std::string partner;  // "" for operator layers
  Scope scope = Scope::kGlobal;
  std::string key;
};

// What a device layer says about its phone besides parameters.
struct DeviceSettings {
  std::string site;
  std::optional<Encryption> encryption;  // nullopt: AES-256-CBC
  bool always_encrypt = false;
  bool gzip = false;  // before any encryption
};

struct StoredLayer {
  LayerKey ref;
  int64_t version = 0;
  std::vector<LayerParameter> parameters;
  DeviceSettings settings;
  absl::Time updated;
};

struct SealedKey {
  std::string key_id;  // "k1", "k2", ...
  std::string sealed;
  absl::Time created;
};

// The key a phone was handed (DeliverDeviceKey) and the cipher it was
// handed for: every profile the phone gets is encrypted with it.
struct HeldKey {
  SealedKey key;
  Encryption encryption = Encryption::kAes256Cbc;
};

// What Render needs about one phone, read in one round trip.
struct DeviceContext {
  int64_t generation = 0;
  std::string partner;
  DeviceSettings settings;
  std::optional<http_auth::HttpAuthSettings> http_auth;  // the partner's, if it set one
  std::optional<HeldKey> held_key;
};

struct RenderSources {
  std::vector<Layer> layers;
  std::string template_text;
  std::optional<std::set<std::string, std::less<>>> model_parameters;
};

struct Delivery {
  std::string etag;
  std::vector<LayerParameter> parameters;
  absl::Time at;
};

// What a phone last did here (GetDeviceActivity, ListDeviceActivities).
struct Activity {
  struct Resync {
    absl::Time at;
    std::string etag;
    std::string firmware_version;
  };
  struct Report {
    absl::Time at;
    int parameters = 0;
    bool authenticated = false;
  };
  std::optional<Resync> resync;
  std::optional<Report> report;
};

struct SitedActivity {
  std::string site;
  Activity activity;
};

class ProfileStore {
 public:
  virtual ~ProfileStore() = default;

  // if_version 0: the layer must not exist yet; otherwise it must be at
  // that version. ABORTED when that does not hold (a stale write).
  virtual absl::StatusOr<StoredLayer> PutLayer(const LayerKey& ref,
                                               const std::vector<LayerParameter>& parameters,
                                               const DeviceSettings& settings, int64_t if_version) = 0;
  virtual absl::StatusOr<StoredLayer> GetLayer(const LayerKey& ref) = 0;
  virtual absl::StatusOr<std::pair<std::vector<StoredLayer>, std::string>> ListLayers(
      const std::string& partner, std::optional<Scope> scope, int page_size,
      const std::string& page_token) = 0;
  // Sets the site of each phone's device layer under `partner` (making
  // one, holding only the site, where the phone has none) in one
  // transaction. The MACs whose layer changed, with the version written;
  // phones already in their site are left out.
  virtual absl::StatusOr<std::map<std::string, int64_t>> AssignSites(
      const std::string& partner, const std::vector<std::pair<std::string, std::string>>& mac_sites) = 0;
  virtual absl::Status DeleteLayer(const LayerKey& ref, int64_t if_version) = 0;
  virtual absl::StatusOr<int64_t> PutTemplate(const std::string& partner, const std::string& text) = 0;
  virtual absl::Status PutModelParameters(const std::string& model,
                                          const std::vector<std::string>& names) = 0;

  // Both bump the generation: every replica's next render checks the new setting.
  virtual absl::Status PutHttpAuth(const std::string& partner, const http_auth::HttpAuthSettings& settings) = 0;
  // NOT_FOUND when the partner has none.
  virtual absl::Status DeleteHttpAuth(const std::string& partner) = 0;

  // The current generation (bumped by every layer or template write).
  virtual absl::StatusOr<int64_t> Generation() = 0;

  // The phone as its device layer describes it. Without a device layer:
  // with `owner` (the partner device-activation says claimed it) the
  // owner's defaults (no site, its HTTP authentication); without, NOT_FOUND.
  virtual absl::StatusOr<DeviceContext> Device(const std::string& mac, const std::string& owner = "") = 0;
  virtual absl::StatusOr<RenderSources> Sources(const std::string& mac, const std::string& model,
                                                const DeviceContext& device) = 0;

  // The device's key named `key_id`, or its newest when `key_id` is empty.
  virtual absl::StatusOr<std::optional<SealedKey>> DeviceKey(const std::string& mac,
                                                             const std::string& key_id = "") = 0;
  // Adds `sealed` as the device's next key. With `only_if_none`, a key made
  // by another replica meanwhile stands instead. Returns the newest key.
  virtual absl::StatusOr<SealedKey> AddDeviceKey(const std::string& mac, const std::string& sealed,
                                                 bool only_if_none) = 0;

  // Hands the phone its newest key (`sealed`, a new one, when it has none),
  // for the cipher its device layer names (AES-256-CBC without one): marks
  // it held. A different held key than before bumps the generation.
  virtual absl::StatusOr<HeldKey> DeliverKey(const std::string& mac, const std::string& sealed) = 0;
  // Everything kept for the phone: its device layer, keys, deliveries and
  // reports. Bumps the generation.
  virtual absl::Status ForgetDevice(const std::string& mac) = 0;

  struct DeliveryRow {
    std::string mac;
    std::string etag;
    std::vector<LayerParameter> parameters;
    // Over a channel that authenticated the phone: evidence that the phone
    // itself has it (anyone could have fetched it otherwise).
    bool authenticated = false;
    std::string partner;  // whose layers it came from
    std::string firmware_version;  // what the phone said it runs
  };
  // Appends deliveries in one statement (the recorder batches them).
  virtual absl::Status RecordDeliveries(const std::vector<DeliveryRow>& rows) = 0;
  // The last profile delivered to the phone from `partner`'s layers.
  virtual absl::StatusOr<std::optional<Delivery>> LastDelivery(const std::string& mac,
                                                               const std::string& partner) = 0;

  virtual absl::Status AddReport(const std::string& mac, const std::string& body_base64, int parameters,
                                 const std::string& source, bool authenticated) = 0;
  // Each of `macs`' latest delivery from `partner`'s layers, its latest
  // report, and the site its device layer under `partner` names (phones
  // with none of these are left out).
  virtual absl::StatusOr<std::map<std::string, SitedActivity>> LatestActivities(
      const std::vector<std::string>& macs, const std::string& partner) = 0;
  // The MACs of `partner`'s phones in `site`, in order, and the next
  // page's token ("" at the end).
  virtual absl::StatusOr<std::pair<std::vector<std::string>, std::string>> SiteDevices(
      const std::string& partner, const std::string& site, int page_size, const std::string& page_token) = 0;

  // Keeps the newest `keep` deliveries and reports per device.
  virtual absl::Status Prune(int keep) = 0;
};

class PostgresProfileStore final : public ProfileStore {
 public:
  explicit PostgresProfileStore(store::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<StoredLayer> PutLayer(const LayerKey& ref, const std::vector<LayerParameter>& parameters,
                                       const DeviceSettings& settings, int64_t if_version) override;
  absl::StatusOr<StoredLayer> GetLayer(const LayerKey& ref) override;
  absl::StatusOr<std::pair<std::vector<StoredLayer>, std::string>> ListLayers(
      const std::string& partner, std::optional<Scope> scope, int page_size,
      const std::string& page_token) override;
  absl::StatusOr<std::map<std::string, int64_t>> AssignSites(
      const std::string& partner, const std::vector<std::pair<std::string, std::string>>& mac_sites) override;
  absl::Status DeleteLayer(const LayerKey& ref, int64_t if_version) override;
  absl::StatusOr<int64_t> PutTemplate(const std::string& partner, const std::string& text) override;
  absl::Status PutModelParameters(const std::string& model, const std::vector<std::string>& names) override;
  absl::Status PutHttpAuth(const std::string& partner, const http_auth::HttpAuthSettings& settings) override;
  absl::Status DeleteHttpAuth(const std::string& partner) override;
  absl::StatusOr<int64_t> Generation() override;
  absl::StatusOr<DeviceContext> Device(const std::string& mac, const std::string& owner = "") override;
  absl::StatusOr<RenderSources> Sources(const std::string& mac, const std::string& model,
                                        const DeviceContext& device) override;
  absl::StatusOr<std::optional<SealedKey>> DeviceKey(const std::string& mac,
                                                     const std::string& key_id = "") override;
  absl::StatusOr<SealedKey> AddDeviceKey(const std::string& mac, const std::string& sealed,
                                         bool only_if_none) override;
  absl::StatusOr<HeldKey> DeliverKey(const std::string& mac, const std::string& sealed) override;
  absl::Status ForgetDevice(const std::string& mac) override;
  absl::Status RecordDeliveries(const std::vector<DeliveryRow>& rows) override;
  absl::StatusOr<std::optional<Delivery>> LastDelivery(const std::string& mac,
                                                       const std::string& partner) override;
  absl::Status AddReport(const std::string& mac, const std::string& body_base64, int parameters,
                         const std::string& source, bool authenticated) override;
  absl::StatusOr<std::map<std::string, SitedActivity>> LatestActivities(const std::vector<std::string>& macs,
                                                                        const std::string& partner) override;
  absl::StatusOr<std::pair<std::vector<std::string>, std::string>> SiteDevices(
      const std::string& partner, const std::string& site, int page_size, const std::string& page_token) override;
  absl::Status Prune(int keep) override;

 private:
  store::ConnectionPool& pool_;
};

std::string ScopeName(Scope scope);
// "model" is the operator's model layer without a partner, the partner's
// (kPartnerModel) with one.
std::optional<Scope> ScopeFromName(std::string_view name, std::string_view partner);
std::string EncodeParameters(const std::vector<LayerParameter>& parameters);
std::vector<LayerParameter> DecodeParameters(std::string_view text);

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_STORE_H_
