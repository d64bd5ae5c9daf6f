#include "services/firmware-catalog/rollout.h"

#include <openssl/sha.h>

namespace onramp::firmware {

int Bucket(const identity::MacAddress& mac) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(mac.bytes().data(), mac.bytes().size(), digest);
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = value << 8 | digest[i];
  return static_cast<int>(value % 10000);
}

int StageOf(int bucket, const std::vector<Stage>& stages) {
  for (size_t i = 0; i < stages.size(); ++i) {
    if (bucket < stages[i].percent * 100) return static_cast<int>(i);
  }
  return static_cast<int>(stages.size());  // beyond the last stage
}

bool Admitted(const identity::MacAddress& mac, const std::vector<Stage>& stages,
              const RolloutProgress& progress) {
  if (progress.state != RolloutState::kRunning && progress.state != RolloutState::kCompleted) {
    return false;
  }
  return StageOf(Bucket(mac), stages) <= progress.current_stage;
}

Decision Evaluate(const std::vector<Stage>& stages, int failure_threshold_percent,
                  const RolloutProgress& progress, absl::Time now) {
  if (progress.state != RolloutState::kRunning) return Decision::kStay;
  int reports = progress.successes + progress.failures;
  if (reports >= kMinReports && progress.failures * 100 > failure_threshold_percent * reports) {
    return Decision::kHalt;
  }
  if (now - progress.stage_started < stages[progress.current_stage].min_soak) return Decision::kStay;
  return progress.current_stage + 1 < static_cast<int>(stages.size()) ? Decision::kAdvance
                                                                      : Decision::kComplete;
}

RolloutProgress ProgressAt(const std::vector<Stage>& stages, int failure_threshold_percent,
                           RolloutProgress progress, absl::Time now) {
  // Each step opens a stage; there are at most 20.
  for (size_t step = 0; step <= stages.size(); ++step) {
    switch (Evaluate(stages, failure_threshold_percent, progress, now)) {
      case Decision::kStay:
        return progress;
      case Decision::kHalt:
        progress.state = RolloutState::kHalted;
        return progress;
      case Decision::kComplete:
        progress.state = RolloutState::kCompleted;
        return progress;
      case Decision::kAdvance:
        progress.stage_started += stages[progress.current_stage].min_soak;
        ++progress.current_stage;
        break;
    }
  }
  return progress;
}

}  // namespace onramp::firmware
