#ifndef ONRAMP_SERVICES_ACTIVATION_CODE_STORE_H_
#define ONRAMP_SERVICES_ACTIVATION_CODE_STORE_H_

// The only place that speaks SQL for activation codes (schema
// "activation", migrations/). Every method is one transaction.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/store/pool.h"

namespace onramp::activation {

enum class CodeState { kActive, kUsed, kRevoked, kExpired };

struct OnboardingTarget {
  std::string profile_rule;
  std::string registration_endpoint;
  std::string account_ref;
};

struct CodeRecord {
  std::string id;
  std::string partner;
  std::string batch_id;
  std::string last_digits;
  CodeState state = CodeState::kActive;
  std::string model;  // constraint; empty: any
  std::string mac;    // constraint ($MA form); empty: any
  OnboardingTarget target;
  absl::Time created;
  absl::Time expires;
  std::optional<absl::Time> redeemed;
  std::string redeemed_mac;
  std::string redeemed_model;
  std::string redeemed_serial;
  std::string redeemed_firmware;
  std::string code_hash;  // hex; never leaves the service
};

struct NewBatch {
  std::string partner;
  std::string idempotency_key;
  std::string request_sha256;  // what the key stands for
  std::vector<std::string> code_hashes;
  std::vector<std::string> last_digits;
  std::string sealed_codes;
  std::string model;
  std::string mac;
  OnboardingTarget target;
  absl::Duration expires_in;
  std::string source;
};

struct CreatedBatch {
  std::string batch_id;
  std::vector<CodeRecord> codes;
  std::string sealed_codes;  // the codes of this batch, sealed
  bool replayed = false;     // an earlier call with the same key made it
};

struct ListFilter {
  std::optional<CodeState> state;
  std::string model;
  int page_size = 100;
  std::string page_token;
};

struct CodePage {
  std::vector<CodeRecord> codes;
  std::string next_page_token;
};

// Failed redemptions allowed per window. Each budget belongs to what a
// guesser controls or targets (its address, the MAC it claims, the code it
// replays), never to a partner, so strangers cannot spend a partner's.
struct RateLimits {
  int per_source = 20;
  int per_mac = 10;
  int per_code = 10;
  absl::Duration window = absl::Hours(1);
  // The phone that redeemed a code and lost the answer gets it again for
  // this long.
  absl::Duration replay_window = absl::Hours(24);
};

struct Redemption {
  std::string code_hash;
  std::string mac;
  std::string model;
  std::string serial;
  std::string firmware;
  std::string source;
};

struct RedeemOutcome {
  enum class Kind {
    kRedeemed,
    kReplayed,  // the redeeming phone again, within the replay window
    kUnknownCode,
    kNotActive,   // used, revoked or expired
    kWrongPhone,  // bound to another model or MAC
    kRateLimited,
  };
  Kind kind = Kind::kUnknownCode;
  CodeRecord code;  // set unless kUnknownCode or kRateLimited
  std::string redemption_id;
  absl::Duration retry_after;  // kRateLimited
  std::string limited_by;      // kRateLimited: "source", "mac" or "code"
};

class CodeStore {
 public:
  virtual ~CodeStore() = default;

  // A new batch, or the earlier one for the same (partner, key) when the
  // request is the same; FAILED_PRECONDITION when the key was used for a
  // different request.
  virtual absl::StatusOr<CreatedBatch> CreateBatch(const NewBatch& batch) = 0;
  virtual absl::StatusOr<CodePage> List(const std::string& partner, const ListFilter& filter) = 0;
  // NOT_FOUND unless the code exists and belongs to `partner`.
  virtual absl::StatusOr<CodeRecord> Get(const std::string& partner, const std::string& id) = 0;
  virtual absl::StatusOr<CodeRecord> Revoke(const std::string& partner, const std::string& id,
                                            const std::string& source) = 0;
  virtual absl::StatusOr<RedeemOutcome> Redeem(const Redemption& redemption, const RateLimits& limits) = 0;

  struct SweepResult {
    int expired = 0;
    int unsealed_batches = 0;
    int failure_windows = 0;
  };
  // Marks codes past expiry, drops sealed codes older than a day and
  // failure counters of past windows.
  virtual absl::StatusOr<SweepResult> Sweep(absl::Duration window) = 0;
};

class PostgresCodeStore final : public CodeStore {
 public:
  explicit PostgresCodeStore(store::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<CreatedBatch> CreateBatch(const NewBatch& batch) override;
  absl::StatusOr<CodePage> List(const std::string& partner, const ListFilter& filter) override;
  absl::StatusOr<CodeRecord> Get(const std::string& partner, const std::string& id) override;
  absl::StatusOr<CodeRecord> Revoke(const std::string& partner, const std::string& id,
                                    const std::string& source) override;
  absl::StatusOr<RedeemOutcome> Redeem(const Redemption& redemption, const RateLimits& limits) override;
  absl::StatusOr<SweepResult> Sweep(absl::Duration window) override;

 private:
  store::ConnectionPool& pool_;
};

}  // namespace onramp::activation

#endif  // ONRAMP_SERVICES_ACTIVATION_CODE_STORE_H_
