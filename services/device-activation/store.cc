#include "services/device-activation/store.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/arrays.h"
#include "lib/kit/store/page_token.h"
#include "lib/kit/store/prepared.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::device {
namespace {

using store::TextArray;
using store::Transact;

std::string TrustText(Trust trust) { return trust == Trust::kMacOnly ? "mac_only" : "factory_certificate"; }
Trust TrustFromText(std::string_view text) {
  return text == "mac_only" ? Trust::kMacOnly : Trust::kFactoryCertificate;
}

// A device joined with its profile's target and its reported state, in the
// order FromRow reads.
constexpr char kDeviceSelect[] = R"sql(
  SELECT d.mac, d.partner, d.serial, d.model, coalesce(d.target, p.target, ''),
         coalesce(d.redirect_profile_id::text, ''),
         (extract(epoch FROM d.claimed_at) * 1000000)::bigint,
         d.registered, d.certificate_serial, coalesce(s.state, ''), d.trust
  FROM device.devices d
  LEFT JOIN device.redirect_profiles p ON p.id = d.redirect_profile_id
  LEFT JOIN device.device_states s ON s.mac = d.mac)sql";

DeviceRecord FromRow(const pqxx::row& row) {
  DeviceRecord device;
  device.mac = row[0].as<std::string>();
  device.partner = row[1].as<std::string>();
  device.serial = row[2].as<std::string>();
  device.model = row[3].as<std::string>();
  device.target = row[4].as<std::string>();
  device.redirect_profile_id = row[5].as<std::string>();
  device.claimed = absl::FromUnixMicros(row[6].as<int64_t>());
  device.registered = row[7].as<bool>();
  device.certificate_serial = row[8].as<std::string>();
  device.state = StateFromName(row[9].c_str());
  device.trust = TrustFromText(row[10].c_str());
  return device;
}

ProfileRecord ProfileFromRow(const pqxx::row& row) {
  return {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
          row[3].as<bool>(), row[4].as<std::string>()};
}

void AddEvent(pqxx::transaction_base& tx, const std::string& mac, std::string_view kind,
              const std::string& detail, const std::string& source) {
  tx.exec_params("INSERT INTO device.events (mac, kind, detail, source) VALUES ($1, $2, $3, $4)",
                 mac, std::string(kind), detail, source);
}

// A phone became Acquired: its own event, so partners' webhooks see the
// moment once (device.webhook_type in the migrations names it).
constexpr char kAcquiredEvent[] = "acquired";

absl::Status NoDevice(const std::string& mac) {
  return absl::NotFoundError(absl::StrCat("no device ", mac, " claimed by this partner"));
}

}  // namespace

absl::StatusOr<std::string> PostgresDeviceStore::Claim(
    const ClaimBatch& batch,
    const std::function<std::string(const std::vector<ClaimOutcome>&)>& render) {
  std::string response;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    if (!batch.idempotency_key.empty()) {
      pqxx::result earlier = tx.exec_params(
          "SELECT request_sha256, response FROM device.claim_requests "
          "WHERE partner = $1 AND idempotency_key = $2",
          batch.partner, batch.idempotency_key);
      if (!earlier.empty()) {
        if (earlier[0][0].as<std::string>() != batch.request_sha256) {
          return absl::FailedPreconditionError(
              "idempotency_key was already used for a different ClaimDevices request");
        }
        response = earlier[0][1].as<std::string>();
        return absl::OkStatus();
      }
    }
    if (!batch.redirect_profile_id.empty()) {
      pqxx::result owned = tx.exec_params(
          "SELECT 1 FROM device.redirect_profiles WHERE id = $1::uuid AND partner = $2",
          batch.redirect_profile_id, batch.partner);
      if (owned.empty()) return absl::NotFoundError("no such redirect profile for this partner");
    }
    std::vector<std::string> macs, serials, models;
    for (const ClaimRow& row : batch.rows) {
      macs.push_back(row.mac);
      serials.push_back(row.serial);
      models.push_back(row.model);
    }
    // New MACs are inserted; the partner's own are updated (a new target is
    // how a partner moves its phones); another partner's are left alone.
    pqxx::result written = tx.exec_params(R"sql(
        INSERT INTO device.devices AS d (mac, partner, serial, model, target, redirect_profile_id, trust)
        SELECT mac, $1, serial, model, nullif($5, ''), nullif($6, '')::uuid, $7
        FROM unnest($2::text[], $3::text[], $4::text[]) AS r(mac, serial, model)
        ON CONFLICT (mac) DO UPDATE
          SET serial = excluded.serial, model = excluded.model, target = excluded.target,
              redirect_profile_id = excluded.redirect_profile_id, trust = excluded.trust
          WHERE d.partner = excluded.partner
        RETURNING mac, (xmax = 0) AS inserted)sql",
        batch.partner, TextArray(macs), TextArray(serials), TextArray(models), batch.target,
        batch.redirect_profile_id, TrustText(batch.trust));
    std::map<std::string, ClaimOutcome> outcome;
    std::vector<std::string> claimed;
    for (const pqxx::row& row : written) {
      bool inserted = row[1].as<bool>();
      outcome[row[0].as<std::string>()] = inserted ? ClaimOutcome::kClaimed : ClaimOutcome::kAlreadyYours;
      if (inserted) claimed.push_back(row[0].as<std::string>());
    }
    if (!claimed.empty()) {
      tx.exec_params(
          "INSERT INTO device.events (mac, kind, detail) "
          "SELECT mac, 'claimed', $2 FROM unnest($1::text[]) AS c(mac)",
          TextArray(claimed), absl::StrCat("by ", batch.partner));
    }
    std::vector<ClaimOutcome> outcomes;
    for (const ClaimRow& row : batch.rows) {
      auto found = outcome.find(row.mac);
      outcomes.push_back(found == outcome.end() ? ClaimOutcome::kConflict : found->second);
    }
    response = render(outcomes);
    if (!batch.idempotency_key.empty()) {
      tx.exec_params(
          "INSERT INTO device.claim_requests (partner, idempotency_key, request_sha256, response) "
          "VALUES ($1, $2, $3, $4)",
          batch.partner, batch.idempotency_key, batch.request_sha256, response);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<DeviceRecord> PostgresDeviceStore::Release(const std::string& partner,
                                                  const std::string& mac) {
  std::optional<DeviceRecord> device;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    device.reset();
    pqxx::result rows = tx.exec_params(
        absl::StrCat(kDeviceSelect, " WHERE d.mac = $1 AND d.partner = $2 FOR UPDATE OF d"), mac,
        partner);
    if (rows.empty()) return absl::OkStatus();
    device = FromRow(rows[0]);
    tx.exec_params("DELETE FROM device.devices WHERE mac = $1", mac);
    tx.exec_params("UPDATE device.certificates SET revoked_at = now() "
                   "WHERE mac = $1 AND revoked_at IS NULL", mac);
    AddEvent(tx, mac, "released", absl::StrCat("by ", partner), "");
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!device) return NoDevice(mac);
  return *device;
}

absl::StatusOr<DeviceRecord> PostgresDeviceStore::Get(const std::string& partner, const std::string& mac) {
  std::optional<DeviceRecord> device;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat(kDeviceSelect, " WHERE d.mac = $1 AND d.partner = $2"), mac, partner);
    if (!rows.empty()) device = FromRow(rows[0]);
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!device) return NoDevice(mac);
  return *device;
}

absl::StatusOr<std::string> PostgresDeviceStore::Owner(const std::string& mac) {
  std::optional<std::string> partner;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params("SELECT partner FROM device.devices WHERE mac = $1", mac);
    if (!rows.empty()) partner = rows[0][0].as<std::string>();
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!partner) return absl::NotFoundError(absl::StrCat("no partner has claimed ", mac));
  return *partner;
}

absl::StatusOr<std::map<std::string, std::string>> PostgresDeviceStore::Owners(const std::vector<std::string>& macs) {
  std::map<std::string, std::string> owners;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    owners.clear();
    for (const pqxx::row& row :
         tx.exec_params("SELECT mac, partner FROM device.devices WHERE mac = ANY($1::text[])", TextArray(macs))) {
      owners[row[0].as<std::string>()] = row[1].as<std::string>();
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  return owners;
}

absl::StatusOr<std::pair<std::vector<DeviceRecord>, std::string>> PostgresDeviceStore::List(
    const std::string& partner, const std::string& model, std::optional<CustomizationState> state,
    const std::string& mac_prefix, const std::vector<std::string>& macs, int page_size,
    const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  // MACs are kept as 12 lowercase hex digits, so "d.mac >= prefix" lets the
  // (partner, mac) index start at the prefix. The caller checked it is hex.
  std::string prefix = absl::AsciiStrToLower(mac_prefix);
  std::vector<DeviceRecord> devices;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    devices.clear();
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat(kDeviceSelect, R"sql(
               WHERE d.partner = $1 AND d.mac > $2 AND ($3 = '' OR d.model = $3)
                 AND ($4 = '' OR coalesce(s.state, 'open') = $4)
                 AND d.mac >= $6 AND left(d.mac, length($6)) = $6
                 AND (cardinality($7::text[]) = 0 OR d.mac = ANY($7::text[]))
               ORDER BY d.mac LIMIT $5)sql"),
             partner, after, model, state ? std::string(StateName(*state)) : std::string(),
             page_size + 1, prefix, store::TextArray(macs))) {
      devices.push_back(FromRow(row));
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  std::string next;
  if (devices.size() > static_cast<size_t>(page_size)) {
    devices.pop_back();
    next = store::PageTokenAfter(devices.back().mac);
  }
  return std::make_pair(std::move(devices), next);
}

absl::StatusOr<DeviceFunnel> PostgresDeviceStore::Summarize(const std::string& partner) {
  DeviceFunnel funnel;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::row row = tx.exec_params1(R"sql(
        SELECT count(*),
               count(*) FILTER (WHERE s.state IN ('custom_pending', 'acquired') OR d.registered),
               count(*) FILTER (WHERE d.registered),
               count(*) FILTER (WHERE s.state = 'acquired')
        FROM device.devices d LEFT JOIN device.device_states s ON s.mac = d.mac
        WHERE d.partner = $1)sql",
                                    partner);
    funnel = DeviceFunnel{.claimed = row[0].as<int64_t>(),
                          .redirected = row[1].as<int64_t>(),
                          .registered = row[2].as<int64_t>(),
                          .acquired = row[3].as<int64_t>()};
    return absl::OkStatus();
  }, {.read_only = true}));
  return funnel;
}

absl::StatusOr<LookupOutcome> PostgresDeviceStore::Lookup(const std::string& mac, const std::string& model,
                                                  const std::string& source, const SecretsAllowed& allowed,
                                                  const std::string& credential_sha256, const std::string& proof) {
  const std::string lookup_sql = absl::StrCat(R"sql(
          SELECT d.partner, coalesce(d.target, p.target, ''), d.trust
          FROM device.devices d LEFT JOIN device.redirect_profiles p ON p.id = d.redirect_profile_id
          WHERE d.mac = $1 AND (d.model = '' OR d.model = $2)
            AND NOT EXISTS (SELECT 1 FROM device.lookup_failures
                            WHERE scope = 'source' AND subject = $3 AND failures >= $4 AND window_start = )sql",
                                               misses_.WindowStartSql("$5"), ")");
  auto find = [&](pqxx::transaction_base& tx) {
    return store::ExecPrepared(tx, "device_lookup", lookup_sql, mac, model, source, limits_.misses_per_source,
                               absl::ToDoubleSeconds(limits_.window));
  };
  LookupOutcome outcome;
  // A query anyone could make changes nothing: a claimed phone that earns
  // no secrets is answered by one read (no transaction, the statement
  // prepared). Only a phone that proved itself, or a miss, writes.
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    outcome = LookupOutcome();
    pqxx::result found = find(tx);
    if (found.empty()) return absl::OkStatus();
    outcome.kind = LookupOutcome::Kind::kFound;
    outcome.partner = found[0][0].as<std::string>();
    outcome.target = found[0][1].as<std::string>();
    Trust trust = TrustFromText(found[0][2].c_str());
    outcome.with_secrets = allowed(trust);
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (outcome.kind == LookupOutcome::Kind::kFound && !outcome.with_secrets) return outcome;
  status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    outcome = LookupOutcome();
    // Read again inside the transaction that writes: the claim may have
    // changed since.
    pqxx::result found = find(tx);
    if (!found.empty()) {
      outcome.kind = LookupOutcome::Kind::kFound;
      outcome.partner = found[0][0].as<std::string>();
      outcome.target = found[0][1].as<std::string>();
      outcome.with_secrets = allowed(TrustFromText(found[0][2].c_str()));
      if (!outcome.with_secrets) return absl::OkStatus();
      // The phone proved itself: its credential, its timeline, and the
      // state it now has (it asked: Pending; it was answered: Custom Pending).
      tx.exec_params(R"sql(
          WITH credential AS (
            UPDATE device.devices SET credential_hash = $2, credential_expires_at = now() + interval '24 hours'
            WHERE mac = $1),
          logged AS (
            INSERT INTO device.events (mac, kind, detail, source) VALUES ($1, 'lookup', 'redirected (' || $4 || ')', $3))
          INSERT INTO device.device_states (mac, state, detail) VALUES ($1, 'custom_pending', 'redirected')
          ON CONFLICT (mac) DO UPDATE SET state = excluded.state, detail = excluded.detail, updated_at = now())sql",
                     mac, credential_sha256, source, proof);
      return absl::OkStatus();
    }
    if (auto exceeded = misses_.FirstExceeded(tx, {{"source", source, limits_.misses_per_source}})) {
      outcome.kind = LookupOutcome::Kind::kRateLimited;
      outcome.retry_after = exceeded->retry_after;
      return absl::OkStatus();
    }
    pqxx::result claimed = tx.exec_params("SELECT 1 FROM device.devices WHERE mac = $1", mac);
    outcome.kind = claimed.empty() ? LookupOutcome::Kind::kNotClaimed
                                   : LookupOutcome::Kind::kWrongModel;
    misses_.CountFailure(tx, "source", source);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return outcome;
}

absl::StatusOr<AdmitOutcome> PostgresDeviceStore::Admit(const ClaimRow& device, const std::string& partner,
                                                const std::string& target, const SecretsAllowed& allowed,
                                                const std::string& credential_sha256, const std::string& source) {
  AdmitOutcome outcome;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    outcome = AdmitOutcome();
    pqxx::result inserted = tx.exec_params(
        "INSERT INTO device.devices (mac, partner, serial, model, target) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (mac) DO NOTHING RETURNING trust",
        device.mac, partner, device.serial, device.model, target);
    Trust trust = Trust::kFactoryCertificate;
    if (!inserted.empty()) {
      AddEvent(tx, device.mac, "claimed", absl::StrCat("by ", partner, " (activation code)"), source);
    } else {
      pqxx::result owner =
          tx.exec_params("SELECT partner, trust FROM device.devices WHERE mac = $1 FOR UPDATE", device.mac);
      if (owner.empty() || owner[0][0].as<std::string>() != partner) {
        // Another partner's phone: its owner is never changed by a code.
        outcome.kind = AdmitOutcome::Kind::kOtherPartners;
        AddEvent(tx, device.mac, "activation", absl::StrCat("a code of ", partner, " (another partner): rule only"),
                 source);
        return absl::OkStatus();
      }
      outcome.kind = AdmitOutcome::Kind::kAlreadyTheirs;
      trust = TrustFromText(owner[0][1].c_str());
    }
    outcome.with_secrets = allowed(trust);
    if (outcome.with_secrets) {
      tx.exec_params("UPDATE device.devices SET credential_hash = $2, credential_expires_at = now() + interval '24 hours' "
                     "WHERE mac = $1",
                     device.mac, credential_sha256);
    }
    AddEvent(tx, device.mac, "activation", outcome.with_secrets ? "activation code: credential issued" : "activation code: rule only",
             source);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return outcome;
}

absl::StatusOr<ProfileRecord> PostgresDeviceStore::CreateProfile(const ProfileRecord& profile) {
  ProfileRecord created;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    created = ProfileFromRow(tx.exec_params1(
        "INSERT INTO device.redirect_profiles (partner, name, short_code, target) "
        "VALUES ($1, $2, $3, $4) RETURNING id::text, partner, name, short_code, target",
        profile.partner, profile.name, profile.short_code, profile.target));
    return absl::OkStatus();
  });
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(profile.short_code
                                        ? absl::StrCat("short code ", profile.name, " is taken")
                                        : absl::StrCat("profile ", profile.name, " exists"));
  }
  if (!status.ok()) return status;
  return created;
}

absl::StatusOr<ProfileRecord> PostgresDeviceStore::GetProfile(const std::string& partner, const std::string& id) {
  std::optional<ProfileRecord> profile;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        "SELECT id::text, partner, name, short_code, target FROM device.redirect_profiles "
        "WHERE id = $1::uuid AND partner = $2",
        id, partner);
    if (!rows.empty()) profile = ProfileFromRow(rows[0]);
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!profile) return absl::NotFoundError(absl::StrCat("no redirect profile ", id));
  return *profile;
}

absl::StatusOr<std::pair<std::vector<ProfileRecord>, std::string>> PostgresDeviceStore::ListProfiles(
    const std::string& partner, int page_size, const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  std::vector<ProfileRecord> profiles;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    profiles.clear();
    for (const pqxx::row& row : tx.exec_params(
             "SELECT id::text, partner, name, short_code, target FROM device.redirect_profiles "
             "WHERE partner = $1 AND name > $2 ORDER BY name LIMIT $3",
             partner, after, page_size + 1)) {
      profiles.push_back(ProfileFromRow(row));
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  std::string next;
  if (profiles.size() > static_cast<size_t>(page_size)) {
    profiles.pop_back();
    next = store::PageTokenAfter(profiles.back().name);
  }
  return std::make_pair(std::move(profiles), next);
}

absl::StatusOr<ProfileRecord> PostgresDeviceStore::DeleteProfile(const std::string& partner, const std::string& id) {
  std::optional<ProfileRecord> profile;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result in_use = tx.exec_params("SELECT count(*) FROM device.devices WHERE redirect_profile_id = $1::uuid", id);
    pqxx::result rows = tx.exec_params(
        "DELETE FROM device.redirect_profiles WHERE id = $1::uuid AND partner = $2 AND $3 = 0 "
        "RETURNING id::text, partner, name, short_code, target",
        id, partner, in_use[0][0].as<int64_t>());
    if (!rows.empty()) profile = ProfileFromRow(rows[0]);
    if (!profile && in_use[0][0].as<int64_t>() > 0) {
      // Only the owner learns that it is in use; to others it does not exist.
      pqxx::result owned =
          tx.exec_params("SELECT 1 FROM device.redirect_profiles WHERE id = $1::uuid AND partner = $2", id, partner);
      if (!owned.empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat(in_use[0][0].as<int64_t>(), " phones are claimed with this redirect profile"));
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!profile) return absl::NotFoundError(absl::StrCat("no redirect profile ", id));
  return *profile;
}

absl::StatusOr<ProfileRecord> PostgresDeviceStore::ResolveShortCode(const std::string& digits,
                                                            const std::string& source,
                                                            absl::Duration* retry_after) {
  std::optional<ProfileRecord> profile;
  bool limited = false;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    profile.reset();
    if (auto exceeded = misses_.FirstExceeded(tx, {{"source", source, limits_.misses_per_source}})) {
      limited = true;
      *retry_after = exceeded->retry_after;
      return absl::OkStatus();
    }
    pqxx::result rows = tx.exec_params(
        "SELECT id::text, partner, name, short_code, target FROM device.redirect_profiles "
        "WHERE short_code AND name = $1",
        digits);
    if (rows.empty()) {
      misses_.CountFailure(tx, "source", source);
    } else {
      profile = ProfileFromRow(rows[0]);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (limited) return absl::ResourceExhaustedError("too many unknown short codes from this source");
  if (!profile) return absl::NotFoundError("no such short code");
  return *profile;
}

absl::StatusOr<std::pair<CustomizationState, absl::Time>> PostgresDeviceStore::ReportState(
    const std::string& mac, CustomizationState state, const std::string& detail,
    const std::string& source) {
  absl::Time updated;
  std::optional<CustomizationState> before;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result current = tx.exec_params(
        "SELECT state FROM device.device_states WHERE mac = $1 FOR UPDATE", mac);
    before = current.empty() ? std::nullopt : StateFromName(current[0][0].c_str());
    if (!TransitionAllowed(before, state)) {
      return absl::FailedPreconditionError(
          absl::StrCat("customization state cannot go from ",
                       std::string(StateName(before.value_or(CustomizationState::kOpen))), " to ",
                       std::string(StateName(state))));
    }
    pqxx::row row = tx.exec_params1(
        "INSERT INTO device.device_states (mac, state, detail) VALUES ($1, $2, $3) "
        "ON CONFLICT (mac) DO UPDATE SET state = excluded.state, detail = excluded.detail, "
        "updated_at = now() RETURNING (extract(epoch FROM updated_at) * 1000000)::bigint",
        mac, std::string(StateName(state)), detail);
    updated = absl::FromUnixMicros(row[0].as<int64_t>());
    AddEvent(tx, mac, "state",
             absl::StrCat(std::string(StateName(before.value_or(CustomizationState::kOpen))),
                          " -> ", std::string(StateName(state)), detail.empty() ? "" : ": ", detail),
             source);
    if (state == CustomizationState::kAcquired && before != CustomizationState::kAcquired) {
      AddEvent(tx, mac, kAcquiredEvent, detail.empty() ? "reported by the phone" : detail, source);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return std::make_pair(state, updated);
}

absl::Status PostgresDeviceStore::Register(
    const std::string& mac, const std::string& credential_sha256,
    const std::function<absl::StatusOr<std::pair<std::string, absl::Time>>()>& issue) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        "SELECT 1 FROM device.devices WHERE mac = $1 AND credential_hash = $2 "
        "AND credential_expires_at > now() FOR UPDATE",
        mac, credential_sha256);
    if (rows.empty()) {
      // Nothing to commit: the transaction ends here either way.
      return absl::PermissionDeniedError(
          "registration credential is unknown, used or expired (look up again)");
    }
    absl::StatusOr<std::pair<std::string, absl::Time>> issued = issue();
    if (!issued.ok()) return issued.status();
    tx.exec_params("UPDATE device.certificates SET revoked_at = now() "
                   "WHERE mac = $1 AND revoked_at IS NULL", mac);
    tx.exec_params(
        "INSERT INTO device.certificates (serial, mac, not_after) "
        "VALUES ($1, $2, to_timestamp($3::bigint / 1000000.0))",
        issued->first, mac, absl::ToUnixMicros(issued->second));
    tx.exec_params(
        "UPDATE device.devices SET registered = true, certificate_serial = $2, "
        "credential_hash = NULL, credential_expires_at = NULL WHERE mac = $1",
        mac, issued->first);
    AddEvent(tx, mac, "registered", absl::StrCat("certificate ", issued->first), "");
    return absl::OkStatus();
  });
}

absl::StatusOr<DeviceRecord> PostgresDeviceStore::Revoke(const std::string& partner,
                                                 const std::string& mac) {
  std::optional<DeviceRecord> device;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    device.reset();
    pqxx::result updated = tx.exec_params(
        "UPDATE device.devices SET registered = false, certificate_serial = '' "
        "WHERE mac = $1 AND partner = $2 RETURNING mac",
        mac, partner);
    if (updated.empty()) return absl::OkStatus();
    tx.exec_params("UPDATE device.certificates SET revoked_at = now() "
                   "WHERE mac = $1 AND revoked_at IS NULL", mac);
    AddEvent(tx, mac, "revoked", absl::StrCat("by ", partner), "");
    device = FromRow(tx.exec_params1(absl::StrCat(kDeviceSelect, " WHERE d.mac = $1"), mac));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!device) return NoDevice(mac);
  return *device;
}

absl::Status PostgresDeviceStore::RecordPartnerEvent(const PartnerEventRecord& event) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params("INSERT INTO device.partner_events (partner, type, subject, detail, event_id) "
                   "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
                   event.partner, event.type, event.subject, event.detail, event.event_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<int> PostgresDeviceStore::RecordLogs(const std::vector<LogRecord>& lines) {
  if (lines.empty()) return 0;
  std::vector<std::string> macs, received, sent, facilities, severities, hostnames, apps, texts, sources;
  for (const LogRecord& line : lines) {
    macs.push_back(line.mac);
    received.push_back(std::to_string(absl::ToUnixMicros(line.received)));
    sent.push_back(line.sent ? std::to_string(absl::ToUnixMicros(*line.sent)) : "");
    facilities.push_back(std::to_string(line.facility));
    severities.push_back(std::to_string(line.severity));
    hostnames.push_back(line.hostname);
    apps.push_back(line.app_name);
    texts.push_back(line.text);
    sources.push_back(line.source);
  }
  int kept = 0;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    // In the batch's order (WITH ORDINALITY), so a phone's lines keep theirs.
    pqxx::result inserted = tx.exec_params(
        R"sql(INSERT INTO device.phone_logs (mac, received_at, sent_at, facility, severity, hostname, app_name,
                                             text, source)
              SELECT l.mac, to_timestamp(l.received::bigint / 1000000.0),
                     to_timestamp(nullif(l.sent, '')::bigint / 1000000.0), l.facility::integer,
                     l.severity::integer, l.hostname, l.app_name, l.text, l.source
              FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[])
                   WITH ORDINALITY AS l(mac, received, sent, facility, severity, hostname, app_name, text, source, n)
              WHERE EXISTS (SELECT 1 FROM device.devices d WHERE d.mac = l.mac)
              ORDER BY l.n
              RETURNING mac)sql",
        TextArray(macs), TextArray(received), TextArray(sent), TextArray(facilities), TextArray(severities),
        TextArray(hostnames), TextArray(apps), TextArray(texts), TextArray(sources));
    kept = static_cast<int>(inserted.size());
    std::set<std::string> phones;
    for (const pqxx::row& row : inserted) phones.insert(row[0].as<std::string>());
    for (const std::string& mac : phones) {
      tx.exec_params("DELETE FROM device.phone_logs WHERE mac = $1 AND id <= (SELECT id FROM device.phone_logs "
                     "WHERE mac = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)",
                     mac, kLogRing);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return kept;
}

absl::StatusOr<std::pair<std::vector<LogRecord>, std::string>> PostgresDeviceStore::Logs(
    const std::string& partner, const std::string& mac, int page_size, const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  int64_t after_id = 0;
  if (!after.empty() && !absl::SimpleAtoi(after, &after_id)) return store::NotAPageToken();
  std::vector<std::pair<int64_t, LogRecord>> lines;
  bool owned = false;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    lines.clear();
    pqxx::result device =
        tx.exec_params("SELECT claimed_at FROM device.devices WHERE mac = $1 AND partner = $2", mac, partner);
    owned = !device.empty();
    if (!owned) return absl::OkStatus();
    // Since this partner's claim, as the timeline.
    for (const pqxx::row& row : tx.exec_params(
             "SELECT id, (extract(epoch FROM received_at) * 1000000)::bigint, "
             "       (extract(epoch FROM sent_at) * 1000000)::bigint, facility, severity, hostname, app_name, "
             "       text, source "
             "FROM device.phone_logs WHERE mac = $1 AND received_at >= $2::timestamptz AND id > $3 "
             "ORDER BY id LIMIT $4",
             mac, device[0][0].as<std::string>(), after_id, page_size + 1)) {
      LogRecord line{.mac = mac,
                     .received = absl::FromUnixMicros(row[1].as<int64_t>()),
                     .facility = row[3].as<int>(),
                     .severity = row[4].as<int>(),
                     .hostname = row[5].as<std::string>(),
                     .app_name = row[6].as<std::string>(),
                     .text = row[7].as<std::string>(),
                     .source = row[8].as<std::string>()};
      if (!row[2].is_null()) line.sent = absl::FromUnixMicros(row[2].as<int64_t>());
      lines.emplace_back(row[0].as<int64_t>(), std::move(line));
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!owned) return NoDevice(mac);
  std::string next;
  if (lines.size() > static_cast<size_t>(page_size)) {
    lines.pop_back();
    next = store::PageTokenAfter(std::to_string(lines.back().first));
  }
  std::vector<LogRecord> out;
  for (auto& [id, line] : lines) out.push_back(std::move(line));
  return std::make_pair(std::move(out), std::move(next));
}

absl::StatusOr<int> PostgresDeviceStore::RecordEvents(const std::vector<EventRecord>& events) {
  int acquired = 0;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    acquired = 0;
    for (const EventRecord& record : events) {
      if (record.event_id.empty()) {
        AddEvent(tx, record.mac, record.event.kind, record.event.detail, record.event.source);
      } else if (tx.exec_params("INSERT INTO device.events (mac, kind, detail, source, event_id) "
                                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) WHERE event_id IS NOT NULL "
                                "DO NOTHING",
                                record.mac, record.event.kind, record.event.detail, record.event.source,
                                record.event_id)
                     .affected_rows() == 0) {
        continue;  // sent before
      }
      if (record.event.kind != customization::kProfileDeliveredEvent) continue;
      // The first profile a Custom Pending phone gets makes it Acquired.
      if (tx.exec_params("UPDATE device.device_states SET state = 'acquired', "
                         "detail = 'first profile', updated_at = now() "
                         "WHERE mac = $1 AND state = 'custom_pending'",
                         record.mac)
              .affected_rows() == 0) {
        continue;
      }
      ++acquired;
      AddEvent(tx, record.mac, kAcquiredEvent, "first profile", record.event.source);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return acquired;
}

absl::StatusOr<std::vector<Event>> PostgresDeviceStore::Timeline(const std::string& partner,
                                                         const std::string& mac) {
  std::vector<Event> events;
  bool owned = false;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    events.clear();
    pqxx::result device = tx.exec_params(
        "SELECT claimed_at FROM device.devices WHERE mac = $1 AND partner = $2", mac, partner);
    owned = !device.empty();
    if (!owned) return absl::OkStatus();
    // Only what happened since this partner claimed it: an earlier owner's
    // history is not this partner's to read.
    for (const pqxx::row& row : tx.exec_params(
             "SELECT (extract(epoch FROM at) * 1000000)::bigint, kind, detail, source "
             "FROM device.events WHERE mac = $1 AND at >= $2::timestamptz ORDER BY id",
             mac, device[0][0].as<std::string>())) {
      events.push_back({absl::FromUnixMicros(row[0].as<int64_t>()), row[1].as<std::string>(),
                        row[2].as<std::string>(), row[3].as<std::string>()});
    }
    // The phone's syslog, summed up in one line (ListLogs has the lines).
    pqxx::result logs = tx.exec_params(
        "SELECT count(*), (extract(epoch FROM max(received_at)) * 1000000)::bigint, "
        "       (SELECT text FROM device.phone_logs WHERE mac = $1 AND received_at >= $2::timestamptz "
        "        ORDER BY id DESC LIMIT 1) "
        "FROM device.phone_logs WHERE mac = $1 AND received_at >= $2::timestamptz",
        mac, device[0][0].as<std::string>());
    if (logs[0][0].as<int64_t>() > 0) {
      std::string last = logs[0][2].as<std::string>();
      if (last.size() > 120) last = last.substr(0, 117) + "...";
      events.push_back({absl::FromUnixMicros(logs[0][1].as<int64_t>()), "syslog",
                        absl::StrCat(logs[0][0].as<int64_t>(), " lines kept, the last: ", last), "syslog"});
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!owned) return NoDevice(mac);
  return events;
}

absl::StatusOr<DeviceStore::RevokedPage> PostgresDeviceStore::RevokedSince(absl::Time since, int page_size,
                                                                    const std::string& page_token) {
  // The token is the last row's (revocation time in µs, serial).
  int64_t after_micros = absl::ToUnixMicros(since) - 1;
  std::string after_serial;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(std::string position, store::PositionOf(page_token));
    std::vector<std::string> parts = absl::StrSplit(position, '|');
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &after_micros)) return store::NotAPageToken();
    after_serial = parts[1];
  }
  RevokedPage page;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    page = RevokedPage();
    page.as_of = absl::FromUnixMicros(tx.exec1("SELECT (extract(epoch FROM now()) * 1000000)::bigint")[0].as<int64_t>());
    for (const pqxx::row& row : tx.exec_params(R"sql(
             SELECT serial, mac, (extract(epoch FROM revoked_at) * 1000000)::bigint AS revoked,
                    (extract(epoch FROM not_after) * 1000000)::bigint
             FROM device.certificates
             WHERE revoked_at IS NOT NULL AND not_after > now()
               AND ((extract(epoch FROM revoked_at) * 1000000)::bigint, serial) > ($1::bigint, $2)
             ORDER BY revoked, serial LIMIT $3)sql",
             after_micros, after_serial, page_size + 1)) {
      page.certificates.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                                   absl::FromUnixMicros(row[2].as<int64_t>()),
                                   absl::FromUnixMicros(row[3].as<int64_t>())});
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (page.certificates.size() > static_cast<size_t>(page_size)) {
    page.certificates.pop_back();
    const RevokedCertificate& last = page.certificates.back();
    page.next_page_token = store::PageTokenAfter(absl::StrCat(absl::ToUnixMicros(last.revoked), "|", last.serial));
  }
  return page;
}

absl::Status PostgresDeviceStore::Sweep() {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    misses_.DeleteEnded(tx);
    tx.exec("UPDATE device.devices SET credential_hash = NULL, credential_expires_at = NULL "
            "WHERE credential_expires_at < now()");
    return absl::OkStatus();
  });
}

}  // namespace onramp::device
