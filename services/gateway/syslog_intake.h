#ifndef ONRAMP_SERVICES_GATEWAY_SYSLOG_INTAKE_H_
#define ONRAMP_SERVICES_GATEWAY_SYSLOG_INTAKE_H_

// The fleet's syslog server (UDP; 514 in production): phones pointed at it
// by their profile (Syslog_Server) send their log lines, RFC 3164 or RFC
// 5424. Each datagram is charged to its source's budget (a token bucket, so
// a flood from one source costs only that source its lines, never
// another's), parsed, tied to the phone whose MAC it names, and queued; a
// sender ships the queue to device-activation (RecordLogs) in batches, and
// keeps what it could not send for the next round. The queue is bounded:
// beyond it new lines are dropped and counted.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/clients/device_activation.h"
#include "prometheus/registry.h"

namespace onramp::gateway {

struct SyslogIntakeOptions {
  std::string host = "0.0.0.0";
  int port = 0;  // 0: a free one
  double lines_per_second_per_source = 50;
  int burst_per_source = 500;
  size_t max_queued = 20000;
  int batch = 1000;
  absl::Duration flush_interval = absl::Milliseconds(200);
};

class SyslogIntake {
 public:
  static absl::StatusOr<std::unique_ptr<SyslogIntake>> Start(const SyslogIntakeOptions& options,
                                                             clients::DeviceActivation& devices,
                                                             prometheus::Registry& registry);
  ~SyslogIntake();  // stops reading, sends what is queued once, joins

  int port() const;
  // Sends what is queued now (and waits for it); for tests and shutdown.
  void Flush();

 private:
  struct Impl;
  explicit SyslogIntake(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_SYSLOG_INTAKE_H_
