#include "services/activation-code/store.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/kit/rate_limit/failure_windows.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/page_token.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::activation {
namespace {

using store::Transact;

// Columns of a code, in the order FromRow reads them. An active code past
// its expiry reads as expired even before the sweep marks it.
constexpr char kCodeColumns[] = R"sql(
  id::text, partner, batch_id::text, last_digits,
  CASE WHEN state = 'active' AND expires_at <= now() THEN 'expired' ELSE state END,
  model, mac, profile_rule, registration_endpoint, account_ref,
  (extract(epoch FROM created_at) * 1000000)::bigint,
  (extract(epoch FROM expires_at) * 1000000)::bigint,
  (extract(epoch FROM redeemed_at) * 1000000)::bigint,
  coalesce(redeemed_mac, ''), coalesce(redeemed_model, ''),
  coalesce(redeemed_serial, ''), coalesce(redeemed_firmware, ''), code_hash)sql";
constexpr int kCodeColumnCount = 18;

CodeState StateFromText(std::string_view text) {
  if (text == "used") return CodeState::kUsed;
  if (text == "revoked") return CodeState::kRevoked;
  if (text == "expired") return CodeState::kExpired;
  return CodeState::kActive;
}

const char* StateText(CodeState state) {
  switch (state) {
    case CodeState::kActive: return "active";
    case CodeState::kUsed: return "used";
    case CodeState::kRevoked: return "revoked";
    case CodeState::kExpired: return "expired";
  }
  return "active";
}

absl::Time FromMicros(int64_t micros) { return absl::FromUnixMicros(micros); }

CodeRecord FromRow(const pqxx::row& row) {
  CodeRecord code;
  code.id = row[0].as<std::string>();
  code.partner = row[1].as<std::string>();
  code.batch_id = row[2].as<std::string>();
  code.last_digits = row[3].as<std::string>();
  code.state = StateFromText(row[4].c_str());
  code.model = row[5].as<std::string>();
  code.mac = row[6].as<std::string>();
  code.target = {row[7].as<std::string>(), row[8].as<std::string>(), row[9].as<std::string>()};
  code.created = FromMicros(row[10].as<int64_t>());
  code.expires = FromMicros(row[11].as<int64_t>());
  if (!row[12].is_null()) code.redeemed = FromMicros(row[12].as<int64_t>());
  code.redeemed_mac = row[13].as<std::string>();
  code.redeemed_model = row[14].as<std::string>();
  code.redeemed_serial = row[15].as<std::string>();
  code.redeemed_firmware = row[16].as<std::string>();
  code.code_hash = row[17].as<std::string>();
  return code;
}

// A page's position: "<created micros>/<id>" of its last code.
std::string PageToken(const CodeRecord& last) {
  return store::PageTokenAfter(absl::StrCat(absl::ToUnixMicros(last.created), "/", last.id));
}

absl::Status ParsePageToken(const std::string& token, int64_t* micros, std::string* id) {
  ASSIGN_OR_RETURN(std::string position, store::PositionOf(token));
  std::vector<std::string> parts = absl::StrSplit(position, '/');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], micros) || parts[1].size() != 36) {
    return store::NotAPageToken();
  }
  *id = parts[1];
  return absl::OkStatus();
}

void Audit(pqxx::transaction_base& tx, const std::string& partner, std::string_view action,
           const std::string& code_id, const std::string& batch_id, const std::string& source,
           const std::string& mac, std::string_view outcome, std::string_view detail = "") {
  tx.exec_params(
      "INSERT INTO activation.audit (partner, action, code_id, batch_id, source, mac, outcome, "
      "detail) VALUES (nullif($1, ''), $2, nullif($3, '')::uuid, nullif($4, '')::uuid, $5, $6, $7, $8)",
      partner, std::string(action), code_id, batch_id, source, mac, std::string(outcome),
      std::string(detail));
}

}  // namespace

absl::StatusOr<CreatedBatch> PostgresCodeStore::CreateBatch(const NewBatch& batch) {
  CreatedBatch created;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    created = CreatedBatch();
    // Concurrent retries of one key queue here instead of both minting.
    pqxx::result claimed = tx.exec_params(
        "INSERT INTO activation.batches (partner, idempotency_key, id, request_sha256, "
        "sealed_codes) VALUES ($1, $2, gen_random_uuid(), $3, $4) "
        "ON CONFLICT (partner, idempotency_key) DO NOTHING RETURNING id::text",
        batch.partner, batch.idempotency_key, batch.request_sha256, batch.sealed_codes);
    if (claimed.empty()) {
      pqxx::row earlier = tx.exec_params1(
          "SELECT id::text, request_sha256, coalesce(sealed_codes, '') FROM activation.batches "
          "WHERE partner = $1 AND idempotency_key = $2",
          batch.partner, batch.idempotency_key);
      if (earlier[1].as<std::string>() != batch.request_sha256) {
        return absl::FailedPreconditionError(
            "idempotency_key was already used for a different CreateCodes request");
      }
      if (earlier[2].as<std::string>().empty()) {
        return absl::FailedPreconditionError(
            "idempotency_key is older than a day; its codes can no longer be returned");
      }
      created.batch_id = earlier[0].as<std::string>();
      created.sealed_codes = earlier[2].as<std::string>();
      created.replayed = true;
    } else {
      created.batch_id = claimed[0][0].as<std::string>();
      created.sealed_codes = batch.sealed_codes;
      // One statement for the whole batch: hashes are hex and last digits
      // are digits, so the array literals need no quoting.
      tx.exec_params(
          "INSERT INTO activation.codes (partner, batch_id, code_hash, last_digits, model, mac, "
          "profile_rule, registration_endpoint, account_ref, expires_at) "
          "SELECT $1, $2::uuid, hash, digits, $5, $6, $7, $8, $9, "
          "now() + make_interval(secs => $10) "
          "FROM unnest($3::text[], $4::text[]) AS batch(hash, digits)",
          batch.partner, created.batch_id,
          absl::StrCat("{", absl::StrJoin(batch.code_hashes, ","), "}"),
          absl::StrCat("{", absl::StrJoin(batch.last_digits, ","), "}"), batch.model, batch.mac,
          batch.target.profile_rule, batch.target.registration_endpoint,
          batch.target.account_ref, absl::ToDoubleSeconds(batch.expires_in));
      Audit(tx, batch.partner, "create", "", created.batch_id, batch.source, "", "ok",
            absl::StrCat(batch.code_hashes.size(), " codes"));
    }
    for (const pqxx::row& row :
         tx.exec_params(absl::StrCat("SELECT ", kCodeColumns,
                                     " FROM activation.codes WHERE batch_id = $1::uuid "
                                     "ORDER BY created_at, id"),
                        created.batch_id)) {
      created.codes.push_back(FromRow(row));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return created;
}

absl::StatusOr<CodePage> PostgresCodeStore::List(const std::string& partner, const ListFilter& filter) {
  int64_t after_micros = INT64_MAX;
  std::string after_id = "ffffffff-ffff-ffff-ffff-ffffffffffff";
  if (!filter.page_token.empty()) {
    if (absl::Status status = ParsePageToken(filter.page_token, &after_micros, &after_id);
        !status.ok()) {
      return status;
    }
  }
  CodePage page;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    page = CodePage();
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kCodeColumns, R"sql(
          FROM activation.codes
          WHERE partner = $1
            AND ($2 = '' OR (CASE WHEN state = 'active' AND expires_at <= now()
                                  THEN 'expired' ELSE state END) = $2)
            AND ($3 = '' OR model = $3)
            AND (created_at, id) < (to_timestamp($4::bigint / 1000000.0), $5::uuid)
          ORDER BY created_at DESC, id DESC
          LIMIT $6)sql"),
        partner, filter.state ? std::string(StateText(*filter.state)) : std::string(),
        filter.model, after_micros == INT64_MAX ? INT64_C(253402300799000000) : after_micros,
        after_id, filter.page_size + 1);
    for (const pqxx::row& row : rows) page.codes.push_back(FromRow(row));
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (page.codes.size() > static_cast<size_t>(filter.page_size)) {
    page.codes.pop_back();
    page.next_page_token = PageToken(page.codes.back());
  }
  return page;
}

absl::StatusOr<CodeRecord> PostgresCodeStore::Get(const std::string& partner, const std::string& id) {
  std::optional<CodeRecord> code;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kCodeColumns,
                     " FROM activation.codes WHERE id = $1::uuid AND partner = $2"),
        id, partner);
    if (!rows.empty()) code = FromRow(rows[0]);
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!code) return absl::NotFoundError(absl::StrCat("no activation code ", id));
  return *code;
}

absl::StatusOr<CodeRecord> PostgresCodeStore::Revoke(const std::string& partner, const std::string& id,
                                             const std::string& source) {
  std::optional<CodeRecord> code;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    code.reset();
    pqxx::result rows = tx.exec_params(
        "UPDATE activation.codes SET state = 'revoked', revoked_at = now() "
        "WHERE id = $1::uuid AND partner = $2 AND state = 'active' AND expires_at > now() "
        "RETURNING id",
        id, partner);
    pqxx::result current = tx.exec_params(
        absl::StrCat("SELECT ", kCodeColumns,
                     " FROM activation.codes WHERE id = $1::uuid AND partner = $2"),
        id, partner);
    if (current.empty()) return absl::OkStatus();
    code = FromRow(current[0]);
    Audit(tx, partner, "revoke", id, code->batch_id, source, "",
          rows.empty() ? "unchanged" : "ok", rows.empty() ? StateText(code->state) : "");
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!code) return absl::NotFoundError(absl::StrCat("no activation code ", id));
  if (code->state == CodeState::kUsed || code->state == CodeState::kExpired) {
    return absl::FailedPreconditionError(
        absl::StrCat("activation code ", id, " is already ", StateText(code->state)));
  }
  return *code;
}

absl::StatusOr<RedeemOutcome> PostgresCodeStore::Redeem(const Redemption& redemption,
                                                const RateLimits& limits) {
  RedeemOutcome outcome;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    outcome = RedeemOutcome();
    const rate_limit::FailureWindows windows("activation.redeem_failures", limits.window);
    auto limited = [&](const std::vector<rate_limit::FailureWindows::Check>& checks) {
      std::optional<rate_limit::FailureWindows::Exceeded> exceeded =
          windows.FirstExceeded(tx, checks);
      if (!exceeded) return false;
      outcome.kind = RedeemOutcome::Kind::kRateLimited;
      outcome.limited_by = exceeded->scope;
      outcome.retry_after = exceeded->retry_after;
      return true;
    };
    auto count_failure = [&](const std::string& scope, const std::string& subject) {
      windows.CountFailure(tx, scope, subject);
    };
    auto audit = [&](std::string_view result, std::string_view detail = "") {
      Audit(tx, outcome.code.partner, "redeem", outcome.code.id, outcome.code.batch_id,
            redemption.source, redemption.mac, result, detail);
    };

    if (limited({{"source", redemption.source, limits.per_source},
                 {"mac", redemption.mac, limits.per_mac}})) {
      audit("rate_limited", outcome.limited_by);
      return absl::OkStatus();
    }
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kCodeColumns, ", redemption_id::text, redeemed_at > now() - $2 * interval '1 second'"
                     " FROM activation.codes WHERE code_hash = $1 FOR UPDATE"),
        redemption.code_hash, absl::ToDoubleSeconds(limits.replay_window));
    if (rows.empty()) {
      outcome.kind = RedeemOutcome::Kind::kUnknownCode;
      count_failure("source", redemption.source);
      count_failure("mac", redemption.mac);
      audit("unknown_code");
      return absl::OkStatus();
    }
    outcome.code = FromRow(rows[0]);
    // The phone that redeemed it asks again: its answer was lost.
    bool recent = !rows[0][kCodeColumnCount + 1].is_null() && rows[0][kCodeColumnCount + 1].as<bool>();
    if (outcome.code.state == CodeState::kUsed && recent && outcome.code.redeemed_mac == redemption.mac) {
      outcome.kind = RedeemOutcome::Kind::kReplayed;
      outcome.redemption_id = rows[0][kCodeColumnCount].as<std::string>();
      audit("replayed");
      return absl::OkStatus();
    }
    // Replaying a known code from many addresses spends that code's budget
    // (and the sources'), nobody else's.
    if (limited({{"code", redemption.code_hash, limits.per_code}})) {
      audit("rate_limited", outcome.limited_by);
      return absl::OkStatus();
    }
    bool wrong_phone = (!outcome.code.model.empty() && outcome.code.model != redemption.model) ||
                       (!outcome.code.mac.empty() && outcome.code.mac != redemption.mac);
    if (outcome.code.state != CodeState::kActive || wrong_phone) {
      outcome.kind = outcome.code.state != CodeState::kActive ? RedeemOutcome::Kind::kNotActive
                                                              : RedeemOutcome::Kind::kWrongPhone;
      count_failure("source", redemption.source);
      count_failure("mac", redemption.mac);
      count_failure("code", redemption.code_hash);
      audit(wrong_phone && outcome.code.state == CodeState::kActive ? "wrong_phone" : "not_active",
            StateText(outcome.code.state));
      return absl::OkStatus();
    }
    pqxx::row redeemed = tx.exec_params1(
        "UPDATE activation.codes SET state = 'used', redeemed_at = now(), "
        "redemption_id = gen_random_uuid(), redeemed_mac = $2, redeemed_model = $3, "
        "redeemed_serial = $4, redeemed_firmware = $5, redeemed_source = $6 "
        "WHERE id = $1::uuid RETURNING redemption_id::text, "
        "(extract(epoch FROM redeemed_at) * 1000000)::bigint",
        outcome.code.id, redemption.mac, redemption.model, redemption.serial, redemption.firmware,
        redemption.source);
    outcome.kind = RedeemOutcome::Kind::kRedeemed;
    outcome.redemption_id = redeemed[0].as<std::string>();
    outcome.code.state = CodeState::kUsed;
    outcome.code.redeemed = FromMicros(redeemed[1].as<int64_t>());
    outcome.code.redeemed_mac = redemption.mac;
    outcome.code.redeemed_model = redemption.model;
    outcome.code.redeemed_serial = redemption.serial;
    outcome.code.redeemed_firmware = redemption.firmware;
    audit("ok");
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return outcome;
}

absl::StatusOr<CodeStore::SweepResult> PostgresCodeStore::Sweep(absl::Duration window) {
  SweepResult result;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    result.expired = static_cast<int>(
        tx.exec("UPDATE activation.codes SET state = 'expired' "
                "WHERE state = 'active' AND expires_at <= now()")
            .affected_rows());
    result.unsealed_batches = static_cast<int>(
        tx.exec("UPDATE activation.batches SET sealed_codes = NULL "
                "WHERE sealed_codes IS NOT NULL AND created_at < now() - interval '1 day'")
            .affected_rows());
    result.failure_windows =
        rate_limit::FailureWindows("activation.redeem_failures", window).DeleteEnded(tx);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

}  // namespace onramp::activation
