#include "device-agent/simulator.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <random>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/network_v4.hpp"
#include "boost/asio/steady_timer.hpp"
#include "lib/http/client/http_client.h"
#include "device-agent/phone.h"
#include "device-agent/state.h"
#include "device-agent/timing.h"
#include "lib/phone/identity/mac_address.h"

namespace onramp::agent {
namespace asio = boost::asio;

absl::StatusOr<std::string> SimulatedMac(const std::string& prefix, int64_t index) {
  absl::StatusOr<identity::MacAddress> base = identity::MacAddress::Parse(prefix + ":00:00:00");
  if (!base.ok()) return absl::InvalidArgumentError(absl::StrCat("mac_prefix ", prefix, " is not three bytes"));
  if (index < 0 || index >= (int64_t{1} << 24)) return absl::InvalidArgumentError("at most 16,777,216 phones");
  return absl::StrCat(base->Lower().substr(0, 6), absl::StrFormat("%06x", index));
}

absl::StatusOr<std::string> SimulatedSourceAddress(const std::string& network, int64_t index) {
  boost::system::error_code error;
  asio::ip::network_v4 parsed = asio::ip::make_network_v4(network, error);
  if (error || parsed.prefix_length() > 30) {
    return absl::InvalidArgumentError(absl::StrCat("source network ", network, " is not an IPv4 network of 4 or more addresses"));
  }
  const uint64_t hosts = (uint64_t{1} << (32 - parsed.prefix_length())) - 2;
  const uint64_t host = 1 + static_cast<uint64_t>(index) % hosts;
  return asio::ip::address_v4(parsed.network().to_uint() + static_cast<uint32_t>(host)).to_string();
}

absl::StatusOr<SimulationReport> Simulate(const SimulatorOptions& options) {
  if (options.phones < 1 || options.concurrency < 1) {
    return absl::InvalidArgumentError("phones and concurrency must be positive");
  }
  using Clock = asio::steady_timer::clock_type;
  asio::io_context io(1);  // one thread: no locks between the phones
  struct SimulatedPhone {
    v1::PhoneState state;
    asio::steady_timer timer;
    std::string source_address;  // empty: the system's choice
    http_client::TlsSessions tls_sessions;  // the phone's memory, across its passes
  };
  std::deque<SimulatedPhone> phones;
  for (int i = 0; i < options.phones; ++i) {
    absl::StatusOr<std::string> mac = SimulatedMac(options.mac_prefix, i);
    if (!mac.ok()) return mac.status();
    v1::PhoneState identity;
    identity.set_mac(*mac);
    identity.set_model(options.model);
    identity.set_firmware(options.firmware);
    if (options.factory != nullptr) {
      if (absl::Status made = options.factory->Manufacture(identity); !made.ok()) return made;
    }
    std::string source_address;
    if (!options.source_network.empty()) {
      absl::StatusOr<std::string> address = SimulatedSourceAddress(options.source_network, i);
      if (!address.ok()) return address.status();
      source_address = *std::move(address);
    }
    phones.emplace_back(FactoryReset(identity), asio::steady_timer(io), std::move(source_address));
  }
  const Clock::time_point start = Clock::now();
  const Clock::time_point steady_until =
      start + std::chrono::duration_cast<Clock::duration>(absl::ToChronoNanoseconds(options.steady_for));
  std::mt19937_64 random(std::random_device{}());
  auto draw = [&random](int64_t bound) { return std::uniform_int_distribution<int64_t>(0, bound)(random); };
  PhoneOptions phone_options{.activation_url = options.activation_url, .ca_file = options.ca_file};
  if (!options.acs_url.empty()) phone_options.dhcp_options[43] = options.acs_url;
  std::deque<size_t> ready;  // due, waiting for a place among the passes in flight
  int in_flight = 0;
  int64_t scheduled = 0;  // phones with a pass ahead of them
  int64_t done = 0;
  std::vector<double> pass_ms;
  pass_ms.reserve(static_cast<size_t>(options.phones));
  asio::steady_timer progress(io);

  std::function<void()> start_passes;
  auto schedule = [&](size_t index, Clock::time_point at) {
    ++scheduled;
    SimulatedPhone& phone = phones[index];
    phone.timer.expires_at(at);
    phone.timer.async_wait([&, index](boost::system::error_code) {
      ready.push_back(index);
      start_passes();
    });
  };
  auto pass = [&](size_t index, asio::yield_context yield) {
    v1::PhoneState& state = phones[index].state;
    auto began = Clock::now();
    PhoneOptions its_options = phone_options;
    its_options.source_address = phones[index].source_address;
    its_options.tls_sessions = &phones[index].tls_sessions;
    Phone phone = Phone::InMemory(std::move(its_options), std::move(state));
    HttpClient client(yield);
    (void)phone.Provision(client);  // in memory: never fails to save
    state = phone.state();
    pass_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - began).count());
    ++done;
    --in_flight;
    --scheduled;
    if (Clock::now() < steady_until) {
      std::optional<int64_t> wait =
          options.acs_url.empty() ? NextResyncSeconds(state, draw) : NextInformSeconds(state, draw);
      if (wait) {
        Clock::time_point next = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                                    static_cast<double>(*wait) / options.time_scale));
        if (next < steady_until) schedule(index, next);
      }
    }
    if (scheduled == 0) progress.cancel();  // nothing ahead: the loop runs dry
    start_passes();
  };
  start_passes = [&] {
    while (in_flight < options.concurrency && !ready.empty()) {
      size_t index = ready.front();
      ready.pop_front();
      ++in_flight;
      http_client::SpawnFiber(io, [&pass, index](asio::yield_context yield) { pass(index, yield); });
    }
  };

  // Power-on moments, spread over the storm window; after it each phone
  // waits its own random delay (Resync_Random_Delay), as phones do.
  const double window = absl::ToDoubleSeconds(options.storm_window);
  for (size_t i = 0; i < phones.size(); ++i) {
    double at = window > 0 ? std::uniform_real_distribution<double>(0, window)(random) : 0;
    std::optional<int64_t> boot_wait = BootResyncSeconds(phones[i].state, draw);
    if (!boot_wait) continue;  // resync timer off: it never asks
    at += static_cast<double>(*boot_wait) / options.time_scale;
    schedule(i, start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at)));
  }
  // A progress line a second while phones have passes ahead.
  std::function<void()> tick = [&] {
    progress.expires_after(std::chrono::seconds(1));
    progress.async_wait([&](boost::system::error_code error) {
      if (error || scheduled == 0) return;
      options.on_progress(done, options.phones);
      tick();
    });
  };
  tick();
  io.run();

  SimulationReport report;
  report.passes = done;
  if (pass_ms.empty()) return report;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const SimulatedPhone& phone : phones) {
    ++report.by_state[phone.state.customization_state()];
    if (phone.state.registered()) ++report.registered;
    ++report.by_outcome[phone.state.last_outcome().empty() ? "none" : phone.state.last_outcome()];
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
