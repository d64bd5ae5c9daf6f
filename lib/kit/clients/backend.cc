#include "lib/kit/clients/backend.h"

#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace onramp::clients {

absl::Status Backend::Enter() {
  if (in_flight_.fetch_add(1, std::memory_order_relaxed) >= policy_.max_in_flight) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    return absl::UnavailableError(absl::StrCat(name_, " is busy: ", policy_.max_in_flight, " calls in flight"));
  }
  return absl::OkStatus();
}

absl::Status Backend::EnterFor(std::string_view method) {
  absl::Status entered = Enter();
  if (!entered.ok()) Report(method, entered.code());
  return entered;
}

absl::Status Backend::Call(std::string_view method, Repeat repeat,
                           const std::function<absl::Status(absl::Time deadline)>& attempt) {
  absl::Status status = Enter();
  if (status.ok()) {
    absl::Time deadline = absl::Now() + policy_.deadline;
    absl::Duration backoff = policy_.first_backoff;
    int attempts = repeat == Repeat::kSafe ? policy_.max_attempts : 1;
    thread_local std::minstd_rand random(std::random_device{}());
    for (int tried = 1;; ++tried) {
      status = attempt(deadline);
      if (status.code() != absl::StatusCode::kUnavailable || tried >= attempts) break;
      // Full jitter keeps a fleet of callers from retrying in step.
      absl::Duration pause = backoff * std::uniform_real_distribution<double>(0.5, 1.0)(random);
      if (absl::Now() + pause >= deadline) break;
      std::this_thread::sleep_for(absl::ToChronoMicroseconds(pause));
      backoff *= 2;
    }
    Leave();
  }
  Report(method, status.code());
  return status;
}

}  // namespace onramp::clients
