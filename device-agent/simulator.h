#ifndef ONRAMP_DEVICE_AGENT_SIMULATOR_H_
#define ONRAMP_DEVICE_AGENT_SIMULATOR_H_

// Many phones in one process, for rehearsing onboarding and boot storms.
// Every phone is a device-agent Phone held in memory (no flash: its key and
// certificate live in its state, and it never upgrades; a TR-069 one
// refuses firmware Downloads). All of them share one event loop on one
// thread: a phone waiting for its timer is a state and a timer, and a phone
// in a provisioning pass is a fiber whose requests suspend it, not the
// thread. A boot storm powers every phone on at a random moment within a
// window, each then making its first provisioning pass after its own
// random delay (Resync_Random_Delay); in steady mode the
// phones then keep resyncing on their timers, time compressed.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "device-agent/factory.h"

namespace onramp::agent {

struct SimulatorOptions {
  int phones = 1000;
  std::string mac_prefix = "02:00:00";  // three bytes; the other three count the phones
  std::string model = "CP-8851-3PCC";
  std::string firmware = "sip88xx.12-0-1MPP0001-245.loads";
  std::string activation_url;
  // A TR-069 ACS every phone's lease names (DHCP option 43): the phones are
  // TR-069 phones, whose passes are sessions with it. Empty: none.
  std::string acs_url;
  std::string ca_file;
  // Where the phones were made: each gets its factory certificate before
  // the storm begins (its cost is not the storm's). Null: phones without
  // one (old phones, which prove nothing).
  const Factory* factory = nullptr;
  // Each phone's own source address, from this IPv4 network ("127.1.0.0/16":
  // any 127/8 address is this host's), as phones on a network have, so a
  // per-address limit meets one phone, not the whole simulation. Empty:
  // every phone comes from the system's choice (one address).
  std::string source_network;
  // Passes in flight at once (the phones' network and file descriptors);
  // phones due beyond it wait their turn.
  int concurrency = 256;
  absl::Duration storm_window = absl::ZeroDuration();  // power-on spread
  // After its first pass each phone goes on resyncing on its own timers
  // (Resync_Periodic, the error back-off) for this long; 0: the storm only.
  absl::Duration steady_for = absl::ZeroDuration();
  // Phone seconds per real second, for the random delay after power-on
  // (Resync_Random_Delay) and steady resyncs (3600: an hour a second).
  double time_scale = 1;
  // Called about once a second while running: passes done so far.
  std::function<void(int64_t done, int64_t total)> on_progress = [](int64_t, int64_t) {};
};

struct SimulationReport {
  int64_t passes = 0;  // provisioning passes, first and later
  std::map<std::string, int64_t> by_state;    // customization state at the end
  std::map<std::string, int64_t> by_outcome;  // last resync outcome: A, B, C
  int64_t registered = 0;                      // phones with a device certificate
  double seconds = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;  // one provisioning pass
};

// INVALID_ARGUMENT for a bad prefix, count (at most 16,777,216 phones) or
// source network.
absl::StatusOr<SimulationReport> Simulate(const SimulatorOptions& options);

// The i-th phone's MAC under `prefix` ("02:00:00" and 5 give 020000000005).
absl::StatusOr<std::string> SimulatedMac(const std::string& prefix, int64_t index);

// The i-th phone's source address in `network` ("127.1.0.0/16" and 0 give
// 127.1.0.1): hosts only (no network or broadcast address), wrapping
// around when there are more phones than hosts.
absl::StatusOr<std::string> SimulatedSourceAddress(const std::string& network, int64_t index);

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_SIMULATOR_H_
