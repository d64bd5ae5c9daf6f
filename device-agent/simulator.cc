#include "device-agent/simulator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <queue>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "device-agent/phone.h"
#include "device-agent/state.h"
#include "device-agent/timing.h"
#include "lib/identity/mac_address.h"

namespace onramp::agent {

absl::StatusOr<std::string> SimulatedMac(const std::string& prefix, int64_t index) {
  absl::StatusOr<identity::MacAddress> base = identity::MacAddress::Parse(prefix + ":00:00:00");
  if (!base.ok()) return absl::InvalidArgumentError(absl::StrCat("mac_prefix ", prefix, " is not three bytes"));
  if (index < 0 || index >= (int64_t{1} << 24)) return absl::InvalidArgumentError("at most 16,777,216 phones");
  return absl::StrCat(base->Lower().substr(0, 6), absl::StrFormat("%06x", index));
}

absl::StatusOr<SimulationReport> Simulate(const SimulatorOptions& options) {
  if (options.phones < 1 || options.workers < 1) return absl::InvalidArgumentError("phones and workers must be positive");
  using Clock = std::chrono::steady_clock;
  std::vector<v1::PhoneState> phones(static_cast<size_t>(options.phones));
  for (int i = 0; i < options.phones; ++i) {
    absl::StatusOr<std::string> mac = SimulatedMac(options.mac_prefix, i);
    if (!mac.ok()) return mac.status();
    v1::PhoneState identity;
    identity.set_mac(*mac);
    identity.set_model(options.model);
    identity.set_firmware(options.firmware);
    phones[static_cast<size_t>(i)] = FactoryReset(identity);
  }
  // Power-on moments, earliest first.
  const Clock::time_point start = Clock::now();
  std::mt19937_64 random(std::random_device{}());
  const double window = absl::ToDoubleSeconds(options.storm_window);
  using Due = std::pair<Clock::time_point, int>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
  for (int i = 0; i < options.phones; ++i) {
    double at = window > 0 ? std::uniform_real_distribution<double>(0, window)(random) : 0;
    due.push({start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at)), i});
  }
  std::mutex mutex;
  std::condition_variable wake;
  int busy = 0;  // phones in a pass now
  std::vector<double> pass_ms;
  pass_ms.reserve(static_cast<size_t>(options.phones));
  std::atomic<int64_t> done{0};
  const Clock::time_point steady_until =
      start + std::chrono::duration_cast<Clock::duration>(absl::ToChronoNanoseconds(options.steady_for));

  auto work = [&] {
    PhoneOptions phone_options{.activation_url = options.activation_url, .ca_file = options.ca_file};
    for (;;) {
      int index;
      {
        std::unique_lock lock(mutex);
        for (;;) {
          if (due.empty()) {
            // Steady mode: a phone still in its pass may schedule another.
            if (busy == 0) return;
            wake.wait(lock);
            continue;
          }
          if (due.top().first <= Clock::now()) break;
          wake.wait_until(lock, due.top().first);
        }
        index = due.top().second;
        due.pop();
        ++busy;
      }
      v1::PhoneState& state = phones[static_cast<size_t>(index)];
      auto began = Clock::now();
      Phone phone = Phone::InMemory(phone_options, std::move(state));
      (void)phone.Provision();  // in memory: never fails to save
      state = phone.state();
      double took = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
      ++done;
      std::lock_guard lock(mutex);
      --busy;
      pass_ms.push_back(took);
      if (Clock::now() < steady_until) {
        std::optional<int64_t> wait = NextResyncSeconds(
            state, [&random](int64_t bound) { return std::uniform_int_distribution<int64_t>(0, bound)(random); });
        if (wait) {
          Clock::time_point next = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                                      static_cast<double>(*wait) / options.time_scale));
          if (next < steady_until) {
            due.push({next, index});
            wake.notify_one();
          }
        }
      }
      if (busy == 0 && due.empty()) wake.notify_all();  // nothing left: the others may finish
    }
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < options.workers; ++i) workers.emplace_back(work);
  bool finished = false;
  std::mutex report_mutex;
  std::condition_variable report_wake;
  std::thread reporter([&] {
    std::unique_lock lock(report_mutex);
    // A progress line a second until the workers are done.
    while (!report_wake.wait_for(lock, std::chrono::seconds(1), [&finished] { return finished; })) {
      options.on_progress(done.load(), options.phones);
    }
  });
  for (std::thread& worker : workers) worker.join();
  {
    std::lock_guard lock(report_mutex);
    finished = true;
  }
  report_wake.notify_all();
  reporter.join();

  SimulationReport report;
  report.passes = done.load();
  if (pass_ms.empty()) return report;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const v1::PhoneState& state : phones) {
    ++report.by_state[state.customization_state()];
    ++report.by_outcome[state.last_outcome().empty() ? "none" : state.last_outcome()];
  }
  std::sort(pass_ms.begin(), pass_ms.end());
  auto at = [&pass_ms](double q) { return pass_ms[static_cast<size_t>(q * static_cast<double>(pass_ms.size() - 1))]; };
  report.p50_ms = at(0.50);
  report.p90_ms = at(0.90);
  report.p99_ms = at(0.99);
  report.max_ms = pass_ms.back();
  return report;
}

}  // namespace onramp::agent
