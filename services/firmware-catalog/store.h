#ifndef ONRAMP_SERVICES_FIRMWARE_CATALOG_STORE_H_
#define ONRAMP_SERVICES_FIRMWARE_CATALOG_STORE_H_

// The only place that speaks SQL for the firmware catalog (schema
// "firmware"). Reads take no locks: a phone's resync never waits on a
// rollout row. Rollout decisions (rollout.h) are saved by the writes that
// touch a rollout and by AdvanceRollouts, at the time the service passes in;
// until then a read shows the row as last saved, and the service projects it
// (ProgressAt).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/store/pool.h"
#include "lib/phone/firmware_version/firmware_version.h"
#include "services/firmware-catalog/planner.h"
#include "services/firmware-catalog/rollout.h"

namespace onramp::firmware {

struct ImageRecord {
  std::string file_name;
  std::string version;
  std::vector<std::string> models;
  int64_t size = 0;
  std::string sha256;
  absl::Time created;
};

struct RolloutRecord {
  std::string id;
  std::string partner;
  std::string model;
  std::string target_version;
  std::vector<Stage> stages;
  int failure_threshold_percent = 10;
  RolloutProgress progress;
  absl::Time created;
};

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;

  // ALREADY_EXISTS when the name is taken by different bytes; the existing
  // record when the bytes are the same.
  virtual absl::StatusOr<ImageRecord> AddImage(const ImageRecord& image) = 0;
  virtual absl::StatusOr<ImageRecord> GetImage(const std::string& file_name) = 0;
  virtual absl::StatusOr<std::pair<std::vector<ImageRecord>, std::string>> ListImages(
      const std::string& model, int page_size, const std::string& page_token) = 0;

  // Checks for loops against the model's edges in the same transaction.
  virtual absl::StatusOr<UpgradeEdge> AddEdge(const std::string& model, const UpgradeEdge& edge) = 0;
  virtual absl::Status SetTarget(const std::string& partner, const std::string& model,
                                 const std::string& version) = 0;

  struct PlanInputs {
    std::vector<UpgradeEdge> edges;
    std::vector<ImageRecord> images;  // of the model
    std::optional<std::string> target;
    std::optional<RolloutRecord> rollout;  // the live one, as last saved
  };
  // One snapshot, read-only.
  virtual absl::StatusOr<PlanInputs> PlanInputsFor(const std::string& partner, const std::string& model) = 0;

  // ALREADY_EXISTS when a live rollout exists for the partner and model.
  // With an idempotency key already used by the partner: the rollout it
  // made (FAILED_PRECONDITION if that was for another model or target).
  virtual absl::StatusOr<RolloutRecord> CreateRollout(const RolloutRecord& rollout, absl::Time now,
                                                      const std::string& idempotency_key = "") = 0;
  // NOT_FOUND unless the partner's; as last saved.
  virtual absl::StatusOr<RolloutRecord> GetRollout(const std::string& partner, const std::string& id) = 0;
  struct RolloutFilter {
    std::string model;                          // empty: any
    std::optional<RolloutState> state;          // as last saved
  };
  // Newest first; the next page's token, empty after the last.
  virtual absl::StatusOr<std::pair<std::vector<RolloutRecord>, std::string>> ListRollouts(
      const std::string& partner, const RolloutFilter& filter, int page_size, const std::string& page_token) = 0;
  // Halts not yet told to the partner (oldest first, at most 100), each
  // with when it happened; MarkHaltNoticed once told.
  struct HaltNotice {
    RolloutRecord rollout;
    absl::Time halted;
  };
  virtual absl::StatusOr<std::vector<HaltNotice>> UnnoticedHalts() = 0;
  virtual absl::Status MarkHaltNoticed(const std::string& id, absl::Time halted) = 0;
  // Saves what is due at `now` for every running rollout; the number that
  // moved. Does nothing while another replica's sweep holds the turn.
  virtual absl::StatusOr<int> AdvanceRollouts(absl::Time now) = 0;
  enum class Command { kPause, kResume, kAbort };
  // FAILED_PRECONDITION for a command the rollout's state does not allow.
  virtual absl::StatusOr<RolloutRecord> Apply(const std::string& partner, const std::string& id,
                                              Command command, absl::Time now) = 0;

  struct UpgradeReport {
    std::string mac;
    std::string partner;
    std::string model;
    std::string from_version;
    std::string to_version;
    bool success = false;
    std::string detail;
    bool authenticated = false;  // the phone's own word
  };
  // Keeps the report; an authenticated one also sets the phone's latest
  // outcome in the live rollout whose target it names (each phone counts
  // once), which is then evaluated (and may halt).
  virtual absl::StatusOr<std::optional<RolloutRecord>> Report(const UpgradeReport& report,
                                                              absl::Time now) = 0;
};

class PostgresCatalogStore final : public CatalogStore {
 public:
  explicit PostgresCatalogStore(store::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<ImageRecord> AddImage(const ImageRecord& image) override;
  absl::StatusOr<ImageRecord> GetImage(const std::string& file_name) override;
  absl::StatusOr<std::pair<std::vector<ImageRecord>, std::string>> ListImages(
      const std::string& model, int page_size, const std::string& page_token) override;
  absl::StatusOr<UpgradeEdge> AddEdge(const std::string& model, const UpgradeEdge& edge) override;
  absl::Status SetTarget(const std::string& partner, const std::string& model,
                         const std::string& version) override;
  absl::StatusOr<PlanInputs> PlanInputsFor(const std::string& partner, const std::string& model) override;
  absl::StatusOr<RolloutRecord> CreateRollout(const RolloutRecord& rollout, absl::Time now,
                                              const std::string& idempotency_key = "") override;
  absl::StatusOr<RolloutRecord> GetRollout(const std::string& partner, const std::string& id) override;
  absl::StatusOr<std::vector<HaltNotice>> UnnoticedHalts() override;
  absl::Status MarkHaltNoticed(const std::string& id, absl::Time halted) override;
  absl::StatusOr<std::pair<std::vector<RolloutRecord>, std::string>> ListRollouts(
      const std::string& partner, const RolloutFilter& filter, int page_size, const std::string& page_token) override;
  absl::StatusOr<int> AdvanceRollouts(absl::Time now) override;
  absl::StatusOr<RolloutRecord> Apply(const std::string& partner, const std::string& id, Command command,
                                      absl::Time now) override;
  absl::StatusOr<std::optional<RolloutRecord>> Report(const UpgradeReport& report, absl::Time now) override;

 private:
  store::ConnectionPool& pool_;
};

}  // namespace onramp::firmware

#endif  // ONRAMP_SERVICES_FIRMWARE_CATALOG_STORE_H_
