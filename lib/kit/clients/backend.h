#ifndef ONRAMP_LIB_KIT_CLIENTS_BACKEND_H_
#define ONRAMP_LIB_KIT_CLIENTS_BACKEND_H_

// How calls to one backend service are made: each within a deadline, at
// most `max_in_flight` at once (one more fails at once with UNAVAILABLE
// "busy" — a caller sheds load instead of queueing without bound), and
// calls that are safe to repeat tried again on UNAVAILABLE after a
// jittered, doubling pause, as long as the deadline leaves time.

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace onramp::clients {

struct CallPolicy {
  absl::Duration deadline = absl::Seconds(5);  // of each call, retries included
  int max_in_flight = 256;
  int max_attempts = 3;  // for calls safe to repeat
  absl::Duration first_backoff = absl::Milliseconds(25);
  // Told each call's outcome (after retries), e.g. for a metric.
  std::function<void(std::string_view method, absl::StatusCode code)> on_outcome;
};

// Whether a call may be sent again when the first try may have arrived.
enum class Repeat { kSafe, kOnce };

class Backend {
 public:
  Backend(std::string name, CallPolicy policy) : name_(std::move(name)), policy_(std::move(policy)) {}

  const std::string& name() const { return name_; }
  const CallPolicy& policy() const { return policy_; }

  // A slot for one call, or UNAVAILABLE when all are taken; pair with Leave.
  absl::Status Enter();
  // Enter for a streaming call: a refusal is that call's outcome.
  absl::Status EnterFor(std::string_view method);
  // Tells on_outcome, if set, how a call ended.
  void Report(std::string_view method, absl::StatusCode code) const {
    if (policy_.on_outcome) policy_.on_outcome(method, code);
  }
  void Leave() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

  // Runs `attempt` (given the deadline it must meet) holding a slot,
  // repeating it per the policy, and reports the outcome.
  absl::Status Call(std::string_view method, Repeat repeat,
                    const std::function<absl::Status(absl::Time deadline)>& attempt);

 private:
  std::string name_;
  CallPolicy policy_;
  std::atomic<int> in_flight_{0};
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_BACKEND_H_
