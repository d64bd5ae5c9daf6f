#ifndef ONRAMP_SERVICES_FIRMWARE_CATALOG_ROLLOUT_H_
#define ONRAMP_SERVICES_FIRMWARE_CATALOG_ROLLOUT_H_

// Staged rollouts, as pure decisions.
//
// Stages give the cumulative share of phones that may take the target:
// {10%, 50%, 100%}. A phone's place is a stable bucket 0..9999 from
// SHA-256 of its MAC, so the same phones are always in the same stage,
// across restarts and replicas; it is in the first stage whose percent
// covers its bucket. A running rollout advances when the current stage has
// soaked for its minimum time and failures stay under the threshold; once
// failures pass the threshold (with at least kMinReports reports) it halts
// by itself. When the last stage has soaked it completes, and its target
// becomes the partner's target for the model.

#include <vector>

#include "absl/time/time.h"
#include "lib/phone/identity/mac_address.h"

namespace onramp::firmware {

inline constexpr int kMinReports = 5;

struct Stage {
  int percent = 100;  // cumulative, 1..100, increasing
  absl::Duration min_soak;
};

enum class RolloutState { kRunning, kPaused, kHalted, kAborted, kCompleted };

struct RolloutProgress {
  RolloutState state = RolloutState::kRunning;
  int current_stage = 0;  // stages 0..current_stage are open
  absl::Time stage_started;
  int successes = 0;
  int failures = 0;

  bool operator==(const RolloutProgress&) const = default;
};

int Bucket(const identity::MacAddress& mac);
int StageOf(int bucket, const std::vector<Stage>& stages);

// Whether a phone may take the rollout's target now.
bool Admitted(const identity::MacAddress& mac, const std::vector<Stage>& stages,
              const RolloutProgress& progress);

enum class Decision { kStay, kAdvance, kComplete, kHalt };

Decision Evaluate(const std::vector<Stage>& stages, int failure_threshold_percent,
                  const RolloutProgress& progress, absl::Time now);

// The progress once every decision due at `now` is taken (a long pause may
// span several soaks; each stage's soak starts when the previous one's
// ended). What the sweeper saves, and what planning assumes until it has:
// the two agree because both are this function of the stored row.
RolloutProgress ProgressAt(const std::vector<Stage>& stages, int failure_threshold_percent,
                           RolloutProgress progress, absl::Time now);

}  // namespace onramp::firmware

#endif  // ONRAMP_SERVICES_FIRMWARE_CATALOG_ROLLOUT_H_
