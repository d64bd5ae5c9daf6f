#include "services/profile-render/store.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/arrays.h"
#include "lib/kit/store/page_token.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::profile {
namespace {

using store::TextArray;
using store::Transact;

constexpr char kLayerColumns[] =
    "partner, scope, key, version, parameters, site, "
    "(extract(epoch FROM updated_at) * 1000000)::bigint, encryption, always_encrypt, gzip";

std::optional<Encryption> EncryptionFromText(std::string_view text) {
  if (text == "aes-256-cbc") return Encryption::kAes256Cbc;
  if (text == "aes128gcm") return Encryption::kAes128Gcm;
  return std::nullopt;
}

std::string EncryptionText(const std::optional<Encryption>& encryption) {
  if (!encryption) return "";
  return *encryption == Encryption::kAes128Gcm ? "aes128gcm" : "aes-256-cbc";
}

// A key from kKeyColumns' three columns, starting at `first`.
SealedKey KeyFromRow(const pqxx::row& row, int first = 0) {
  return {absl::StrCat("k", row[first].as<int>()), row[first + 1].as<std::string>(),
          absl::FromUnixMicros(row[first + 2].as<int64_t>())};
}

constexpr char kKeyColumns[] =
    "number, sealed_key, (extract(epoch FROM created_at) * 1000000)::bigint";

StoredLayer LayerFromRow(const pqxx::row& row) {
  StoredLayer layer;
  layer.ref.partner = row[0].as<std::string>();
  layer.ref.scope = ScopeFromName(row[1].c_str(), row[0].c_str()).value_or(Scope::kGlobal);
  layer.ref.key = row[2].as<std::string>();
  layer.version = row[3].as<int64_t>();
  layer.parameters = DecodeParameters(row[4].c_str());
  layer.settings.site = row[5].as<std::string>();
  layer.updated = absl::FromUnixMicros(row[6].as<int64_t>());
  layer.settings.encryption = EncryptionFromText(row[7].c_str());
  layer.settings.always_encrypt = row[8].as<bool>();
  layer.settings.gzip = row[9].as<bool>();
  return layer;
}

void BumpGeneration(pqxx::transaction_base& tx) {
  tx.exec("UPDATE profile.generation SET value = value + 1 WHERE id = 1");
}

std::string_view UaText(const std::optional<flat_profile::UserAccess>& ua) {
  return ua ? flat_profile::UserAccessName(*ua) : "";
}

}  // namespace

std::string ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kGlobal: return "global";
    case Scope::kModel:
    case Scope::kPartnerModel: return "model";
    case Scope::kPartner: return "partner";
    case Scope::kSite: return "site";
    case Scope::kDevice: return "device";
  }
  return "global";
}

std::optional<Scope> ScopeFromName(std::string_view name, std::string_view partner) {
  for (Scope scope : {Scope::kGlobal, Scope::kModel, Scope::kPartner, Scope::kSite, Scope::kDevice}) {
    if (ScopeName(scope) != name) continue;
    return scope == Scope::kModel && !partner.empty() ? Scope::kPartnerModel : scope;
  }
  return std::nullopt;
}

std::string EncodeParameters(const std::vector<LayerParameter>& parameters) {
  std::vector<std::string> lines;
  for (const LayerParameter& p : parameters) {
    lines.push_back(absl::StrCat(p.name, "\t", std::string(UaText(p.user_access)), "\t",
                                 p.secret ? "1" : "0", "\t", p.value));
  }
  return absl::StrJoin(lines, "\n");
}

std::vector<LayerParameter> DecodeParameters(std::string_view text) {
  std::vector<LayerParameter> parameters;
  if (text.empty()) return parameters;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    std::vector<std::string> fields = absl::StrSplit(line, absl::MaxSplits('\t', 3));
    if (fields.size() != 4) continue;
    LayerParameter p{.name = fields[0], .value = fields[3], .secret = fields[2] == "1"};
    p.user_access = flat_profile::UserAccessFromName(fields[1]);
    parameters.push_back(std::move(p));
  }
  return parameters;
}

absl::StatusOr<StoredLayer> PostgresProfileStore::PutLayer(const LayerKey& ref,
                                                   const std::vector<LayerParameter>& parameters,
                                                   const DeviceSettings& settings,
                                                   int64_t if_version) {
  StoredLayer stored;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows;
    if (if_version == 0) {
      rows = tx.exec_params(
          absl::StrCat("INSERT INTO profile.layers (partner, scope, key, version, parameters, site, "
                       "encryption, always_encrypt, gzip) VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8) "
                       "ON CONFLICT (partner, scope, key) DO NOTHING RETURNING ",
                       kLayerColumns),
          ref.partner, ScopeName(ref.scope), ref.key, EncodeParameters(parameters), settings.site,
          EncryptionText(settings.encryption), settings.always_encrypt, settings.gzip);
    } else {
      rows = tx.exec_params(
          absl::StrCat("UPDATE profile.layers SET version = version + 1, parameters = $4, site = $5, "
                       "encryption = $7, always_encrypt = $8, gzip = $9, updated_at = now() "
                       "WHERE partner = $1 AND scope = $2 AND key = $3 AND version = $6 RETURNING ",
                       kLayerColumns),
          ref.partner, ScopeName(ref.scope), ref.key, EncodeParameters(parameters), settings.site,
          if_version, EncryptionText(settings.encryption), settings.always_encrypt, settings.gzip);
    }
    if (rows.empty()) {
      return absl::AbortedError(
          if_version == 0 ? "layer already exists (if_version 0 creates only); read it and retry"
                          : absl::StrCat("layer is no longer at version ", if_version,
                                         "; read it and retry"));
    }
    stored = LayerFromRow(rows[0]);
    BumpGeneration(tx);
    return absl::OkStatus();
  });
  if (status.code() == absl::StatusCode::kAlreadyExists && ref.scope == Scope::kDevice) {
    return absl::AlreadyExistsError(
        absl::StrCat("device ", ref.key, " already has a layer under another partner"));
  }
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<std::map<std::string, int64_t>> PostgresProfileStore::AssignSites(
    const std::string& partner, const std::vector<std::pair<std::string, std::string>>& mac_sites) {
  std::vector<std::string> macs, sites;
  for (const auto& [mac, site] : mac_sites) {
    macs.push_back(mac);
    sites.push_back(site);
  }
  std::map<std::string, int64_t> changed;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    changed.clear();
    for (const pqxx::row& row : tx.exec_params(
             "INSERT INTO profile.layers (partner, scope, key, version, parameters, site) "
             "SELECT $1, 'device', mac, 1, '', site FROM unnest($2::text[], $3::text[]) AS a(mac, site) "
             "ON CONFLICT (partner, scope, key) DO UPDATE "
             "  SET site = EXCLUDED.site, version = profile.layers.version + 1, updated_at = now() "
             "  WHERE profile.layers.site IS DISTINCT FROM EXCLUDED.site "
             "RETURNING key, version",
             partner, TextArray(macs), TextArray(sites))) {
      changed[row[0].as<std::string>()] = row[1].as<int64_t>();
    }
    if (!changed.empty()) BumpGeneration(tx);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return changed;
}

absl::StatusOr<StoredLayer> PostgresProfileStore::GetLayer(const LayerKey& ref) {
  std::optional<StoredLayer> layer;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kLayerColumns,
                     " FROM profile.layers WHERE partner = $1 AND scope = $2 AND key = $3"),
        ref.partner, ScopeName(ref.scope), ref.key);
    if (!rows.empty()) layer = LayerFromRow(rows[0]);
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!layer) return absl::NotFoundError("no such layer");
  return *layer;
}

absl::StatusOr<std::pair<std::vector<StoredLayer>, std::string>> PostgresProfileStore::ListLayers(
    const std::string& partner, std::optional<Scope> scope, int page_size,
    const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  std::vector<StoredLayer> layers;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    layers.clear();
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat("SELECT ", kLayerColumns, R"sql( FROM profile.layers
               WHERE partner = $1 AND ($2 = '' OR scope = $2) AND scope || '/' || key > $3
               ORDER BY scope || '/' || key LIMIT $4)sql"),
             partner, scope ? ScopeName(*scope) : std::string(), after, page_size + 1)) {
      layers.push_back(LayerFromRow(row));
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  std::string next;
  if (layers.size() > static_cast<size_t>(page_size)) {
    layers.pop_back();
    next = store::PageTokenAfter(absl::StrCat(ScopeName(layers.back().ref.scope), "/", layers.back().ref.key));
  }
  return std::make_pair(std::move(layers), next);
}

absl::Status PostgresProfileStore::DeleteLayer(const LayerKey& ref, int64_t if_version) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        "DELETE FROM profile.layers WHERE partner = $1 AND scope = $2 AND key = $3 "
        "AND ($4 = 0 OR version = $4) RETURNING 1",
        ref.partner, ScopeName(ref.scope), ref.key, if_version);
    if (rows.empty()) {
      pqxx::result exists = tx.exec_params(
          "SELECT 1 FROM profile.layers WHERE partner = $1 AND scope = $2 AND key = $3",
          ref.partner, ScopeName(ref.scope), ref.key);
      return exists.empty() ? absl::NotFoundError("no such layer")
                            : absl::AbortedError("layer changed since that version");
    }
    BumpGeneration(tx);
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> PostgresProfileStore::PutTemplate(const std::string& partner,
                                                  const std::string& text) {
  int64_t version = 0;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    version = tx.exec_params1(
                    "INSERT INTO profile.templates (partner, version, text) VALUES ($1, 1, $2) "
                    "ON CONFLICT (partner) DO UPDATE SET version = templates.version + 1, "
                    "text = excluded.text, updated_at = now() RETURNING version",
                    partner, text)[0]
                  .as<int64_t>();
    BumpGeneration(tx);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return version;
}

absl::StatusOr<int64_t> PostgresProfileStore::Generation() {
  int64_t generation = 0;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    generation = tx.exec("SELECT value FROM profile.generation WHERE id = 1")[0][0].as<int64_t>();
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  return generation;
}

absl::Status PostgresProfileStore::PutModelParameters(const std::string& model,
                                              const std::vector<std::string>& names) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params(
        "INSERT INTO profile.model_parameters (model, names) VALUES ($1, $2) "
        "ON CONFLICT (model) DO UPDATE SET names = excluded.names, updated_at = now()",
        model, absl::StrJoin(names, "\n"));
    BumpGeneration(tx);
    return absl::OkStatus();
  });
}

absl::Status PostgresProfileStore::PutHttpAuth(const std::string& partner, const http_auth::HttpAuthSettings& settings) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params(
        "INSERT INTO profile.http_auth (partner, realm, username, ha1) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (partner) DO UPDATE SET realm = excluded.realm, username = excluded.username, "
        "ha1 = excluded.ha1, updated_at = now()",
        partner, settings.realm, settings.username, settings.ha1);
    BumpGeneration(tx);  // cached device contexts carry the settings
    return absl::OkStatus();
  });
}

absl::Status PostgresProfileStore::DeleteHttpAuth(const std::string& partner) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result deleted = tx.exec_params("DELETE FROM profile.http_auth WHERE partner = $1 RETURNING 1", partner);
    if (deleted.empty()) return absl::NotFoundError("this partner has no HTTP authentication set");
    BumpGeneration(tx);
    return absl::OkStatus();
  });
}

absl::StatusOr<DeviceContext> PostgresProfileStore::Device(const std::string& mac, const std::string& owner) {
  std::optional<DeviceContext> device;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        "SELECT g.value, coalesce(l.partner, nullif($2, '')), coalesce(l.site, ''), l.encryption, "
        "       coalesce(l.always_encrypt, false), a.realm, a.username, a.ha1, "
        "       k.number, k.sealed_key, (extract(epoch FROM k.created_at) * 1000000)::bigint, k.delivered_encryption, "
        "       coalesce(l.gzip, false) "
        "FROM profile.generation g "
        "LEFT JOIN profile.layers l ON l.scope = 'device' AND l.key = $1 "
        "LEFT JOIN profile.http_auth a ON a.partner = coalesce(l.partner, $2) "
        "LEFT JOIN LATERAL (SELECT * FROM profile.device_keys WHERE mac = $1 AND delivered_at IS NOT NULL "
        "                   ORDER BY delivered_at DESC, number DESC LIMIT 1) k ON true "
        "WHERE g.id = 1",
        mac, owner);
    if (!rows.empty() && !rows[0][1].is_null()) {
      device = DeviceContext{rows[0][0].as<int64_t>(), rows[0][1].as<std::string>(),
                             {rows[0][2].as<std::string>(), EncryptionFromText(rows[0][3].c_str()),
                              rows[0][4].as<bool>(), rows[0][12].as<bool>()}};
      if (!rows[0][5].is_null()) {
        device->http_auth = http_auth::HttpAuthSettings{.realm = rows[0][5].as<std::string>(),
                                             .username = rows[0][6].as<std::string>(),
                                             .ha1 = rows[0][7].as<std::string>()};
      }
      if (!rows[0][8].is_null()) {
        device->held_key = HeldKey{.key = KeyFromRow(rows[0], 8),
                                   .encryption = EncryptionFromText(rows[0][11].c_str()).value_or(Encryption::kAes256Cbc)};
      }
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!device) return absl::NotFoundError("no profile for this phone");
  return *device;
}

absl::StatusOr<RenderSources> PostgresProfileStore::Sources(const std::string& mac, const std::string& model,
                                                    const DeviceContext& device) {
  RenderSources sources;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    sources = RenderSources();
    for (const pqxx::row& row : tx.exec_params(
             R"sql(SELECT scope, parameters, partner FROM profile.layers
                   WHERE (partner = '' AND scope = 'global' AND key = '')
                      OR (partner = '' AND scope = 'model' AND key = $2)
                      OR (partner = $3 AND scope = 'partner' AND key = '')
                      OR (partner = $3 AND scope = 'model' AND key = $2 AND $3 <> '')
                      OR (partner = $3 AND scope = 'site' AND key = $4 AND $4 <> '')
                      OR (partner = $3 AND scope = 'device' AND key = $1)
                   UNION ALL
                   SELECT 'template', text, partner FROM profile.templates WHERE partner = $3
                   UNION ALL
                   SELECT 'names', names, '' FROM profile.model_parameters WHERE model = $2)sql",
             mac, model, device.partner, device.settings.site)) {
      std::string scope = row[0].as<std::string>();
      if (scope == "template") {
        sources.template_text = row[1].as<std::string>();
      } else if (scope == "names") {
        std::vector<std::string> names = absl::StrSplit(row[1].c_str(), '\n', absl::SkipEmpty());
        sources.model_parameters.emplace(names.begin(), names.end());
      } else if (auto parsed = ScopeFromName(scope, row[2].c_str())) {
        sources.layers.push_back({*parsed, DecodeParameters(row[1].c_str())});
      }
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  return sources;
}

absl::StatusOr<std::optional<SealedKey>> PostgresProfileStore::DeviceKey(const std::string& mac,
                                                                 const std::string& key_id) {
  int number = 0;
  if (!key_id.empty() && (!key_id.starts_with("k") || !absl::SimpleAtoi(key_id.substr(1), &number))) {
    return absl::InvalidArgumentError(absl::StrCat("key id \"", key_id, "\" is not k<number>"));
  }
  std::optional<SealedKey> key;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kKeyColumns, " FROM profile.device_keys WHERE mac = $1 "
                     "AND ($2 = 0 OR number = $2) ORDER BY number DESC LIMIT 1"),
        mac, number);
    if (!rows.empty()) key = KeyFromRow(rows[0]);
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  return key;
}

absl::StatusOr<SealedKey> PostgresProfileStore::AddDeviceKey(const std::string& mac,
                                                     const std::string& sealed, bool only_if_none) {
  SealedKey newest;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    // Serialises key creation per phone across replicas.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('onramp-device-key:' || $1))", mac);
    pqxx::result current = tx.exec_params(
        "SELECT coalesce(max(number), 0) FROM profile.device_keys WHERE mac = $1", mac);
    int highest = current[0][0].as<int>();
    if (!(only_if_none && highest > 0)) {
      tx.exec_params(
          "INSERT INTO profile.device_keys (mac, key_id, sealed_key, number) VALUES ($1, $2, $3, $4)",
          mac, absl::StrCat("k", highest + 1), sealed, highest + 1);
      // Renders made with the previous newest key are stale now.
      if (highest > 0) BumpGeneration(tx);
    }
    newest = KeyFromRow(tx.exec_params1(
        absl::StrCat("SELECT ", kKeyColumns, " FROM profile.device_keys WHERE mac = $1 "
                     "ORDER BY number DESC LIMIT 1"),
        mac));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return newest;
}

absl::StatusOr<HeldKey> PostgresProfileStore::DeliverKey(const std::string& mac, const std::string& sealed) {
  HeldKey held;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    // A phone's first key is k1; of two replicas making it at once, the
    // first wins and both hand out that one.
    tx.exec_params(
        "INSERT INTO profile.device_keys (mac, key_id, sealed_key, number) VALUES ($1, 'k1', $2, 1) "
        "ON CONFLICT (mac, number) DO NOTHING",
        mac, sealed);
    // The newest key becomes the held one; the cipher is fixed now (the
    // phone's rule is written for it).
    pqxx::row newest = tx.exec_params1(absl::StrCat(R"sql(
        WITH before AS (
          SELECT number FROM profile.device_keys WHERE mac = $1 AND delivered_at IS NOT NULL
          ORDER BY delivered_at DESC, number DESC LIMIT 1)
        UPDATE profile.device_keys SET delivered_at = clock_timestamp(),
          delivered_encryption = coalesce((SELECT nullif(encryption, '') FROM profile.layers
                                           WHERE scope = 'device' AND key = $1), 'aes-256-cbc')
        WHERE mac = $1 AND number = (SELECT max(number) FROM profile.device_keys WHERE mac = $1)
        RETURNING )sql", kKeyColumns, ", delivered_encryption, coalesce((SELECT number FROM before), number)"),
        mac);
    held.key = KeyFromRow(newest);
    held.encryption = EncryptionFromText(newest[3].c_str()).value_or(Encryption::kAes256Cbc);
    // Renders made for another key the phone held are stale now; a phone
    // that held none has its context read anew within a generation poll.
    if (newest[4].as<int>() != newest[0].as<int>()) BumpGeneration(tx);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return held;
}

absl::Status PostgresProfileStore::ForgetDevice(const std::string& mac) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params("DELETE FROM profile.layers WHERE scope = 'device' AND key = $1", mac);
    tx.exec_params("DELETE FROM profile.device_keys WHERE mac = $1", mac);
    tx.exec_params("DELETE FROM profile.deliveries WHERE mac = $1", mac);
    tx.exec_params("DELETE FROM profile.reports WHERE mac = $1", mac);
    BumpGeneration(tx);
    return absl::OkStatus();
  });
}

absl::Status PostgresProfileStore::RecordDeliveries(const std::vector<DeliveryRow>& rows) {
  if (rows.empty()) return absl::OkStatus();
  std::vector<std::string> macs, etags, parameters, partners, firmware_versions;
  for (const DeliveryRow& row : rows) {
    macs.push_back(row.mac);
    etags.push_back(row.etag);
    parameters.push_back(EncodeParameters(row.parameters));
    partners.push_back(row.partner);
    firmware_versions.push_back(row.firmware_version);
  }
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params(
        "INSERT INTO profile.deliveries (mac, etag, parameters, partner, firmware_version) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])",
        TextArray(macs), TextArray(etags), TextArray(parameters), TextArray(partners), TextArray(firmware_versions));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<Delivery>> PostgresProfileStore::LastDelivery(const std::string& mac,
                                                                    const std::string& partner) {
  std::optional<Delivery> delivery;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        "SELECT etag, parameters, (extract(epoch FROM at) * 1000000)::bigint "
        "FROM profile.deliveries WHERE mac = $1 AND partner = $2 ORDER BY id DESC LIMIT 1",
        mac, partner);
    if (!rows.empty()) {
      delivery = Delivery{rows[0][0].as<std::string>(), DecodeParameters(rows[0][1].c_str()),
                          absl::FromUnixMicros(rows[0][2].as<int64_t>())};
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  return delivery;
}

absl::Status PostgresProfileStore::AddReport(const std::string& mac, const std::string& body_base64,
                                     int parameters, const std::string& source, bool authenticated) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params(
        "INSERT INTO profile.reports (mac, body, parameters, source, authenticated) VALUES ($1, $2, $3, $4, $5)",
        mac, body_base64, parameters, source, authenticated);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::map<std::string, SitedActivity>> PostgresProfileStore::LatestActivities(
    const std::vector<std::string>& macs, const std::string& partner) {
  std::map<std::string, SitedActivity> found;
  const std::string asked = store::TextArray(macs);
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    found.clear();
    for (const pqxx::row& row : tx.exec_params(
             "SELECT key, site FROM profile.layers WHERE partner = $1 AND scope = 'device' AND key = ANY($2::text[])",
             partner, asked)) {
      found[row[0].as<std::string>()].site = row[1].as<std::string>();
    }
    // The latest of each phone, found by the (mac, id DESC) indexes.
    for (const pqxx::row& row : tx.exec_params(
             "SELECT DISTINCT ON (mac) mac, (extract(epoch FROM at) * 1000000)::bigint, etag, firmware_version "
             "FROM profile.deliveries WHERE mac = ANY($1::text[]) AND partner = $2 ORDER BY mac, id DESC",
             asked, partner)) {
      found[row[0].as<std::string>()].activity.resync = Activity::Resync{
          absl::FromUnixMicros(row[1].as<int64_t>()), row[2].as<std::string>(), row[3].as<std::string>()};
    }
    for (const pqxx::row& row : tx.exec_params(
             "SELECT DISTINCT ON (mac) mac, (extract(epoch FROM at) * 1000000)::bigint, parameters, authenticated "
             "FROM profile.reports WHERE mac = ANY($1::text[]) ORDER BY mac, id DESC",
             asked)) {
      found[row[0].as<std::string>()].activity.report =
          Activity::Report{absl::FromUnixMicros(row[1].as<int64_t>()), row[2].as<int>(), row[3].as<bool>()};
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<std::pair<std::vector<std::string>, std::string>> PostgresProfileStore::SiteDevices(
    const std::string& partner, const std::string& site, int page_size, const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  std::vector<std::string> macs;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    macs.clear();
    for (const pqxx::row& row : tx.exec_params(
             "SELECT key FROM profile.layers WHERE partner = $1 AND scope = 'device' AND site = $2 AND key > $3 "
             "ORDER BY key LIMIT $4",
             partner, site, after, page_size + 1)) {
      macs.push_back(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  std::string next;
  if (macs.size() > static_cast<size_t>(page_size)) {
    macs.pop_back();
    next = store::PageTokenAfter(macs.back());
  }
  return std::make_pair(std::move(macs), next);
}

absl::Status PostgresProfileStore::Prune(int keep) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    for (const char* table : {"profile.deliveries", "profile.reports"}) {
      tx.exec_params(absl::StrCat("DELETE FROM ", table, " t USING (SELECT id, row_number() OVER "
                                  "(PARTITION BY mac ORDER BY id DESC) AS n FROM ",
                                  table, ") r WHERE t.id = r.id AND r.n > $1"),
                     keep);
    }
    return absl::OkStatus();
  });
}

}  // namespace onramp::profile
