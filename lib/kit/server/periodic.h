#ifndef ONRAMP_LIB_KIT_SERVER_PERIODIC_H_
#define ONRAMP_LIB_KIT_SERVER_PERIODIC_H_

// Runs a task every `interval` on its own thread (first after one interval)
// until destroyed; the destructor waits for a run in progress. The services'
// sweepers:
//
//   server::Periodic sweeper(absl::Seconds(5), [&] { store.Sweep(); });
//   return server->RunUntilSignalled();

#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace onramp::server {

class Periodic {
 public:
  Periodic(absl::Duration interval, std::function<void()> task);
  ~Periodic();

  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace onramp::server

#endif  // ONRAMP_LIB_KIT_SERVER_PERIODIC_H_
