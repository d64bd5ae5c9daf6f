#include "lib/kit/server/periodic.h"

#include <utility>

namespace onramp::server {

Periodic::Periodic(absl::Duration interval, std::function<void()> task)
    : thread_([this, interval, task = std::move(task)] {
        while (!stop_.WaitForNotificationWithTimeout(interval)) task();
      }) {}

Periodic::~Periodic() {
  stop_.Notify();
  thread_.join();
}

}  // namespace onramp::server
