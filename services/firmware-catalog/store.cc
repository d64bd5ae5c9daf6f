#include "services/firmware-catalog/store.h"

#include <algorithm>
#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/page_token.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::firmware {

using firmware_version::ParseVersion;
using firmware_version::Version;

namespace {

using store::Transact;

// FAILED_PRECONDITION unless the catalog holds an image of `version` for
// `model`: a target, an edge or a rollout to it would give phones no
// Upgrade_Rule.
absl::Status RequireImage(pqxx::transaction_base& tx, const std::string& model, const std::string& version) {
  pqxx::result found = tx.exec_params(
      "SELECT 1 FROM firmware.images WHERE version = $2 AND $1 = ANY(string_to_array(models, ',')) LIMIT 1", model,
      version);
  if (found.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no image of ", version, " for ", model, " in the catalog; register it first"));
  }
  return absl::OkStatus();
}

constexpr char kImageColumns[] =
    "file_name, version, models, size, sha256, (extract(epoch FROM created_at) * 1000000)::bigint";
constexpr char kRolloutColumns[] =
    "id::text, partner, model, target_version, stages, failure_threshold_percent, state, "
    "current_stage, (extract(epoch FROM stage_started_at) * 1000000)::bigint, successes, failures, "
    "(extract(epoch FROM created_at) * 1000000)::bigint";

ImageRecord ImageFromRow(const pqxx::row& row) {
  return {row[0].as<std::string>(),
          row[1].as<std::string>(),
          absl::StrSplit(row[2].c_str(), ',', absl::SkipEmpty()),
          row[3].as<int64_t>(),
          row[4].as<std::string>(),
          absl::FromUnixMicros(row[5].as<int64_t>())};
}

std::string StagesText(const std::vector<Stage>& stages) {
  std::vector<std::string> parts;
  for (const Stage& stage : stages) {
    parts.push_back(absl::StrCat(stage.percent, ":", absl::ToInt64Seconds(stage.min_soak)));
  }
  return absl::StrJoin(parts, ",");
}

std::vector<Stage> StagesFromText(std::string_view text) {
  std::vector<Stage> stages;
  for (absl::string_view part : absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    std::pair<std::string, std::string> fields = absl::StrSplit(part, ':');
    int percent = 0;
    int64_t seconds = 0;
    (void)absl::SimpleAtoi(fields.first, &percent);
    (void)absl::SimpleAtoi(fields.second, &seconds);
    stages.push_back({percent, absl::Seconds(seconds)});
  }
  return stages;
}

std::string StateText(RolloutState state) {
  switch (state) {
    case RolloutState::kRunning: return "running";
    case RolloutState::kPaused: return "paused";
    case RolloutState::kHalted: return "halted";
    case RolloutState::kAborted: return "aborted";
    case RolloutState::kCompleted: return "completed";
  }
  return "running";
}

RolloutState StateFromText(std::string_view text) {
  for (RolloutState state : {RolloutState::kRunning, RolloutState::kPaused, RolloutState::kHalted,
                             RolloutState::kAborted, RolloutState::kCompleted}) {
    if (StateText(state) == text) return state;
  }
  return RolloutState::kRunning;
}

RolloutRecord RolloutFromRow(const pqxx::row& row) {
  RolloutRecord rollout;
  rollout.id = row[0].as<std::string>();
  rollout.partner = row[1].as<std::string>();
  rollout.model = row[2].as<std::string>();
  rollout.target_version = row[3].as<std::string>();
  rollout.stages = StagesFromText(row[4].c_str());
  rollout.failure_threshold_percent = row[5].as<int>();
  rollout.progress.state = StateFromText(row[6].c_str());
  rollout.progress.current_stage = row[7].as<int>();
  rollout.progress.stage_started = absl::FromUnixMicros(row[8].as<int64_t>());
  rollout.progress.successes = row[9].as<int>();
  rollout.progress.failures = row[10].as<int>();
  rollout.created = absl::FromUnixMicros(row[11].as<int64_t>());
  return rollout;
}

void Save(pqxx::transaction_base& tx, const RolloutRecord& rollout) {
  tx.exec_params(
      "UPDATE firmware.rollouts SET state = $2, current_stage = $3, "
      "stage_started_at = to_timestamp($4::bigint / 1000000.0), successes = $5, failures = $6, "
      // A new halt (the right-hand state is the row's before this update).
      "halted_at = CASE WHEN $2 = 'halted' AND state <> 'halted' THEN now() ELSE halted_at END, "
      "halt_noticed_at = CASE WHEN $2 = 'halted' AND state <> 'halted' THEN NULL ELSE halt_noticed_at END "
      "WHERE id = $1::uuid",
      rollout.id, StateText(rollout.progress.state), rollout.progress.current_stage,
      absl::ToUnixMicros(rollout.progress.stage_started), rollout.progress.successes,
      rollout.progress.failures);
}

// Saves every decision due at `now` (rollout.h ProgressAt); a completed
// rollout's target becomes the partner's, so every phone may take it.
void Advance(pqxx::transaction_base& tx, RolloutRecord& rollout, absl::Time now) {
  RolloutProgress due = ProgressAt(rollout.stages, rollout.failure_threshold_percent, rollout.progress, now);
  if (due == rollout.progress) return;
  rollout.progress = due;
  if (due.state == RolloutState::kCompleted) {
    tx.exec_params(
        "INSERT INTO firmware.targets (partner, model, version) VALUES ($1, $2, $3) "
        "ON CONFLICT (partner, model) DO UPDATE SET version = excluded.version",
        rollout.partner, rollout.model, rollout.target_version);
  }
  Save(tx, rollout);
}

std::optional<RolloutRecord> LockRollout(pqxx::transaction_base& tx, const std::string& partner,
                                         const std::string& id) {
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT ", kRolloutColumns,
                   " FROM firmware.rollouts WHERE id = $1::uuid AND partner = $2 FOR UPDATE"),
      id, partner);
  if (rows.empty()) return std::nullopt;
  return RolloutFromRow(rows[0]);
}

}  // namespace

absl::StatusOr<ImageRecord> PostgresCatalogStore::AddImage(const ImageRecord& image) {
  ImageRecord stored;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params(
        "INSERT INTO firmware.images (file_name, version, models, size, sha256) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (file_name) DO NOTHING",
        image.file_name, image.version, absl::StrJoin(image.models, ","), image.size, image.sha256);
    stored = ImageFromRow(tx.exec_params1(
        absl::StrCat("SELECT ", kImageColumns, " FROM firmware.images WHERE file_name = $1"),
        image.file_name));
    if (stored.sha256 != image.sha256) {
      return absl::AlreadyExistsError(absl::StrCat(
          image.file_name, " is already registered with other bytes; images are immutable"));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<ImageRecord> PostgresCatalogStore::GetImage(const std::string& file_name) {
  std::optional<ImageRecord> image;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kImageColumns, " FROM firmware.images WHERE file_name = $1"),
        file_name);
    if (!rows.empty()) image = ImageFromRow(rows[0]);
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!image) return absl::NotFoundError(absl::StrCat("no image ", file_name));
  return *image;
}

absl::StatusOr<std::pair<std::vector<ImageRecord>, std::string>> PostgresCatalogStore::ListImages(
    const std::string& model, int page_size, const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  // In the vendor's version order (11-3-7MPP-36 before 11-3-7MPP-100),
  // which SQL cannot sort by: a catalog holds hundreds of images, not
  // millions, so they are ordered here. The position is the last image
  // given, as "<version>\n<file name>"; a page starts after it.
  std::vector<ImageRecord> images;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    images.clear();
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat("SELECT ", kImageColumns, " FROM firmware.images "
                          "WHERE $1 = '' OR $1 = ANY(string_to_array(models, ','))"),
             model)) {
      images.push_back(ImageFromRow(row));
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  using Position = std::pair<Version, std::string>;
  auto position_of = [](const ImageRecord& image) {
    return Position(ParseVersion(image.version).value_or(Version()), image.file_name);
  };
  std::sort(images.begin(), images.end(),
            [&](const ImageRecord& a, const ImageRecord& b) { return position_of(a) < position_of(b); });
  auto first = images.begin();
  if (!after.empty()) {
    std::vector<std::string> parts = absl::StrSplit(after, absl::MaxSplits('\n', 1));
    absl::StatusOr<Version> version = ParseVersion(parts[0]);
    if (parts.size() != 2 || !version.ok()) return store::NotAPageToken();
    Position last_given(*version, parts[1]);
    first = std::upper_bound(images.begin(), images.end(), last_given,
                             [&](const Position& position, const ImageRecord& image) {
                               return position < position_of(image);
                             });
  }
  std::vector<ImageRecord> page(first, first + std::min<ptrdiff_t>(page_size, images.end() - first));
  std::string next;
  if (first + static_cast<ptrdiff_t>(page.size()) != images.end()) {
    next = store::PageTokenAfter(absl::StrCat(page.back().version, "\n", page.back().file_name));
  }
  return std::make_pair(std::move(page), next);
}

absl::StatusOr<UpgradeEdge> PostgresCatalogStore::AddEdge(const std::string& model, const UpgradeEdge& edge) {
  UpgradeEdge stored = edge;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    // One writer of a model's edges at a time, so two edges that each look
    // fine cannot close a loop together.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('onramp-edges:' || $1))", model);
    std::vector<UpgradeEdge> edges;
    for (const pqxx::row& row : tx.exec_params(
             "SELECT id, from_min, from_max, to_version FROM firmware.edges WHERE model = $1", model)) {
      edges.push_back({row[0].as<int64_t>(), *ParseVersion(row[1].c_str()),
                       *ParseVersion(row[2].c_str()), *ParseVersion(row[3].c_str())});
    }
    // The same edge again (a retry) is the one already there.
    for (const UpgradeEdge& existing : edges) {
      if (existing.from_min == edge.from_min && existing.from_max == edge.from_max && existing.to == edge.to) {
        stored.id = existing.id;
        return absl::OkStatus();
      }
    }
    RETURN_IF_ERROR(status::WithField(RequireImage(tx, model, edge.to.ToString()), "to"));
    if (absl::Status loop = CheckNoCycle(edges, {}, edge); !loop.ok()) return loop;
    stored.id = tx.exec_params1(
                      "INSERT INTO firmware.edges (model, from_min, from_max, to_version) "
                      "VALUES ($1, $2, $3, $4) RETURNING id",
                      model, edge.from_min.ToString(), edge.from_max.ToString(), edge.to.ToString())[0]
                    .as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return stored;
}

absl::Status PostgresCatalogStore::SetTarget(const std::string& partner, const std::string& model,
                                     const std::string& version) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    RETURN_IF_ERROR(status::WithField(RequireImage(tx, model, version), "version"));
    tx.exec_params(
        "INSERT INTO firmware.targets (partner, model, version) VALUES ($1, $2, $3) "
        "ON CONFLICT (partner, model) DO UPDATE SET version = excluded.version",
        partner, model, version);
    return absl::OkStatus();
  });
}

absl::StatusOr<CatalogStore::PlanInputs> PostgresCatalogStore::PlanInputsFor(const std::string& partner,
                                                                     const std::string& model) {
  PlanInputs inputs;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    inputs = PlanInputs();
    for (const pqxx::row& row : tx.exec_params(
             "SELECT id, from_min, from_max, to_version FROM firmware.edges WHERE model = $1", model)) {
      inputs.edges.push_back({row[0].as<int64_t>(), *ParseVersion(row[1].c_str()),
                              *ParseVersion(row[2].c_str()), *ParseVersion(row[3].c_str())});
    }
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat("SELECT ", kImageColumns, " FROM firmware.images "
                          "WHERE $1 = ANY(string_to_array(models, ','))"),
             model)) {
      inputs.images.push_back(ImageFromRow(row));
    }
    pqxx::result target = tx.exec_params(
        "SELECT version FROM firmware.targets WHERE partner = $1 AND model = $2", partner, model);
    if (!target.empty()) inputs.target = target[0][0].as<std::string>();
    pqxx::result live = tx.exec_params(
        absl::StrCat("SELECT ", kRolloutColumns, " FROM firmware.rollouts WHERE partner = $1 "
                     "AND model = $2 AND state IN ('running', 'paused', 'halted')"),
        partner, model);
    if (!live.empty()) inputs.rollout = RolloutFromRow(live[0]);
    return absl::OkStatus();
  }, {.isolation = store::Isolation::kRepeatableRead, .read_only = true});
  if (!status.ok()) return status;
  return inputs;
}

absl::StatusOr<RolloutRecord> PostgresCatalogStore::CreateRollout(const RolloutRecord& rollout, absl::Time now,
                                                          const std::string& idempotency_key) {
  RolloutRecord created;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    if (!idempotency_key.empty()) {
      pqxx::result earlier = tx.exec_params(
          absl::StrCat("SELECT ", kRolloutColumns, " FROM firmware.rollouts WHERE partner = $1 AND idempotency_key = $2"),
          rollout.partner, idempotency_key);
      if (!earlier.empty()) {
        created = RolloutFromRow(earlier[0]);
        if (created.model != rollout.model || created.target_version != rollout.target_version) {
          return absl::FailedPreconditionError("idempotency_key was already used for another rollout");
        }
        return absl::OkStatus();
      }
    }
    RETURN_IF_ERROR(status::WithField(RequireImage(tx, rollout.model, rollout.target_version), "target_version"));
    created = RolloutFromRow(tx.exec_params1(
        absl::StrCat("INSERT INTO firmware.rollouts (partner, model, target_version, stages, "
                     "failure_threshold_percent, state, stage_started_at, idempotency_key) "
                     "VALUES ($1, $2, $3, $4, $5, 'running', to_timestamp($6::bigint / 1000000.0), nullif($7, '')) "
                     "RETURNING ",
                     kRolloutColumns),
        rollout.partner, rollout.model, rollout.target_version, StagesText(rollout.stages),
        rollout.failure_threshold_percent, absl::ToUnixMicros(now), idempotency_key));
    return absl::OkStatus();
  });
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError("a rollout for this model is already live; abort it first");
  }
  if (!status.ok()) return status;
  return created;
}

absl::StatusOr<RolloutRecord> PostgresCatalogStore::GetRollout(const std::string& partner,
                                                       const std::string& id) {
  std::optional<RolloutRecord> rollout;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kRolloutColumns, " FROM firmware.rollouts WHERE id = $1::uuid AND partner = $2"),
        id, partner);
    if (!rows.empty()) rollout = RolloutFromRow(rows[0]);
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!rollout) return absl::NotFoundError(absl::StrCat("no rollout ", id));
  return *rollout;
}

absl::StatusOr<std::pair<std::vector<RolloutRecord>, std::string>> PostgresCatalogStore::ListRollouts(
    const std::string& partner, const RolloutFilter& filter, int page_size, const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  // The position is the last rollout given, "<created micros>|<id>".
  int64_t after_micros = std::numeric_limits<int64_t>::max();
  std::string after_id;
  if (!after.empty()) {
    std::vector<std::string> parts = absl::StrSplit(after, absl::MaxSplits('|', 1));
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &after_micros)) return store::NotAPageToken();
    after_id = parts[1];
  }
  std::vector<RolloutRecord> rollouts;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    rollouts.clear();
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat("SELECT ", kRolloutColumns, " FROM firmware.rollouts "
                          "WHERE partner = $1 AND ($2 = '' OR model = $2) AND ($3 = '' OR state = $3) "
                          "  AND ((extract(epoch FROM created_at) * 1000000)::bigint, id::text) < ($4::bigint, $5) "
                          "ORDER BY created_at DESC, id::text DESC LIMIT $6"),
             partner, filter.model, filter.state ? StateText(*filter.state) : std::string(), after_micros,
             after.empty() ? std::string("~") : after_id, page_size + 1)) {
      rollouts.push_back(RolloutFromRow(row));
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  std::string next;
  if (static_cast<int>(rollouts.size()) > page_size) {
    rollouts.resize(page_size);
    next = store::PageTokenAfter(absl::StrCat(absl::ToUnixMicros(rollouts.back().created), "|", rollouts.back().id));
  }
  return std::make_pair(std::move(rollouts), std::move(next));
}

absl::StatusOr<std::vector<CatalogStore::HaltNotice>> PostgresCatalogStore::UnnoticedHalts() {
  std::vector<HaltNotice> halts;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    halts.clear();
    for (const pqxx::row& row : tx.exec(absl::StrCat(
             "SELECT ", kRolloutColumns, ", (extract(epoch FROM halted_at) * 1000000)::bigint "
             "FROM firmware.rollouts WHERE halted_at IS NOT NULL AND halt_noticed_at IS NULL "
             "ORDER BY halted_at LIMIT 100"))) {
      halts.push_back({RolloutFromRow(row), absl::FromUnixMicros(row[12].as<int64_t>())});
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  return halts;
}

absl::Status PostgresCatalogStore::MarkHaltNoticed(const std::string& id, absl::Time halted) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    // Only that halt: the rollout may have halted again since.
    tx.exec_params("UPDATE firmware.rollouts SET halt_noticed_at = now() WHERE id = $1::uuid "
                   "AND (extract(epoch FROM halted_at) * 1000000)::bigint = $2",
                   id, absl::ToUnixMicros(halted));
    return absl::OkStatus();
  });
}

absl::StatusOr<int> PostgresCatalogStore::AdvanceRollouts(absl::Time now) {
  int advanced = 0;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    advanced = 0;
    // One sweeper at a time across replicas; the others skip this round.
    if (!tx.exec("SELECT pg_try_advisory_xact_lock(hashtext('onramp-rollout-sweeper'))")[0][0].as<bool>()) {
      return absl::OkStatus();
    }
    for (const pqxx::row& row :
         tx.exec(absl::StrCat("SELECT ", kRolloutColumns,
                              " FROM firmware.rollouts WHERE state = 'running' FOR UPDATE"))) {
      RolloutRecord rollout = RolloutFromRow(row);
      RolloutProgress before = rollout.progress;
      Advance(tx, rollout, now);
      if (rollout.progress != before) ++advanced;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return advanced;
}

absl::StatusOr<RolloutRecord> PostgresCatalogStore::Apply(const std::string& partner, const std::string& id,
                                                  Command command, absl::Time now) {
  std::optional<RolloutRecord> rollout;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    rollout = LockRollout(tx, partner, id);
    if (!rollout) return absl::OkStatus();
    Advance(tx, *rollout, now);
    RolloutState state = rollout->progress.state;
    switch (command) {
      case Command::kPause:
        if (state != RolloutState::kRunning) {
          return absl::FailedPreconditionError(absl::StrCat("rollout is ", StateText(state), ", not running"));
        }
        rollout->progress.state = RolloutState::kPaused;
        break;
      case Command::kResume:
        if (state != RolloutState::kPaused && state != RolloutState::kHalted) {
          return absl::FailedPreconditionError(absl::StrCat("rollout is ", StateText(state),
                                                            ", not paused or halted"));
        }
        rollout->progress.state = RolloutState::kRunning;
        // A fresh look at the current stage: its soak starts again, and the
        // failures that halted it (now understood) no longer count.
        rollout->progress.stage_started = now;
        rollout->progress.successes = 0;
        rollout->progress.failures = 0;
        tx.exec_params("DELETE FROM firmware.rollout_phones WHERE rollout_id = $1::uuid", rollout->id);
        break;
      case Command::kAbort:
        if (state == RolloutState::kAborted || state == RolloutState::kCompleted) {
          return absl::FailedPreconditionError(absl::StrCat("rollout is already ", StateText(state)));
        }
        rollout->progress.state = RolloutState::kAborted;
        break;
    }
    Save(tx, *rollout);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!rollout) return absl::NotFoundError(absl::StrCat("no rollout ", id));
  return *rollout;
}

absl::StatusOr<std::optional<RolloutRecord>> PostgresCatalogStore::Report(const UpgradeReport& report,
                                                                  absl::Time now) {
  std::optional<RolloutRecord> rollout;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    rollout.reset();
    pqxx::result live = tx.exec_params(
        absl::StrCat("SELECT ", kRolloutColumns, " FROM firmware.rollouts WHERE partner = $1 "
                     "AND model = $2 AND target_version = $3 AND state = 'running' FOR UPDATE"),
        report.partner, report.model, report.to_version);
    if (!live.empty() && report.authenticated) {
      rollout = RolloutFromRow(live[0]);
      pqxx::result previous = tx.exec_params(
          "SELECT success FROM firmware.rollout_phones WHERE rollout_id = $1::uuid AND mac = $2", rollout->id,
          report.mac);
      tx.exec_params(
          "INSERT INTO firmware.rollout_phones (rollout_id, mac, success) VALUES ($1::uuid, $2, $3) "
          "ON CONFLICT (rollout_id, mac) DO UPDATE SET success = excluded.success, at = now()",
          rollout->id, report.mac, report.success);
      // The phone's latest outcome replaces its earlier one.
      if (!previous.empty()) {
        (previous[0][0].as<bool>() ? rollout->progress.successes : rollout->progress.failures) -= 1;
      }
      (report.success ? rollout->progress.successes : rollout->progress.failures) += 1;
      Save(tx, *rollout);
      Advance(tx, *rollout, now);
    }
    tx.exec_params(
        "INSERT INTO firmware.upgrade_reports (mac, partner, model, from_version, to_version, "
        "outcome, detail, rollout_id, authenticated) VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, '')::uuid, $9)",
        report.mac, report.partner, report.model, report.from_version, report.to_version,
        std::string(report.success ? "success" : "failure"), report.detail,
        rollout ? rollout->id : std::string(), report.authenticated);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rollout;
}

}  // namespace onramp::firmware
