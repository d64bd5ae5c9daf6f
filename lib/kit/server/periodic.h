#ifndef ONRAMP_LIB_KIT_SERVER_PERIODIC_H_
#define ONRAMP_LIB_KIT_SERVER_PERIODIC_H_

// Runs a task every `interval` on its own thread until destroyed; the
// destructor waits for a run in progress. The services' sweepers (first run
// after one interval) and pollers (first run at once):
//
//   server::Periodic sweeper(absl::Seconds(5), [&] { store.Sweep(); });
//   return server->RunUntilSignalled();
//
// Declare it after everything its task uses, so it stops first.

#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace onramp::server {

class Periodic {
 public:
  enum class FirstRun { kAfterInterval, kAtOnce };

  Periodic(absl::Duration interval, std::function<void()> task,
           FirstRun first = FirstRun::kAfterInterval);
  ~Periodic();

  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace onramp::server

#endif  // ONRAMP_LIB_KIT_SERVER_PERIODIC_H_
