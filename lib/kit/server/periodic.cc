#include "lib/kit/server/periodic.h"

#include <utility>

namespace onramp::server {

Periodic::Periodic(absl::Duration interval, std::function<void()> task, FirstRun first)
    : thread_([this, interval, first, task = std::move(task)] {
        if (first == FirstRun::kAtOnce) task();
        while (!stop_.WaitForNotificationWithTimeout(interval)) task();
      }) {}

Periodic::~Periodic() {
  stop_.Notify();
  thread_.join();
}

}  // namespace onramp::server
