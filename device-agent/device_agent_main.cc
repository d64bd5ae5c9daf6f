// device-agent: a phone, simulated faithfully enough to onboard against the
// fleet. Its flash is --state-dir.
//
//   device-agent factory-reset --state-dir D [--mac M --model PN --serial SN --firmware F]
//                              [--factory_ca_cert F --factory_ca_key K]
//   device-agent resync        --state-dir D [--activation_url URL] [--ca_file F] [--user_agent UA]
//                              [--code DIGITS|#DIGITS|-] [--dhcp_lease FILE] [--dns_server HOST:PORT]
//   device-agent run           --state-dir D [as resync] [--passes N] [--connection_request_listen IP:PORT]
//   device-agent sim           --phones N --activation_url URL [--acs_url URL] [--mac_prefix 02:00:00] [--model PN]
//                              [--firmware F] [--concurrency 256] [--storm 60s] [--ca_file F]
//                              [--steady_for 10m --time_scale 60] [--factory_ca_cert F --factory_ca_key K]
//   device-agent set           --state-dir D NAME VALUE
//   device-agent call          --state-dir D start|end   (no resyncs during a call)
//   device-agent status        --state-dir D [--json]
//
// A first factory reset needs the identity; later ones keep it. With a
// manufacturing CA (--factory_ca_cert/--factory_ca_key, the stand-in
// factory) a phone without a factory certificate is given one, which it
// keeps for life and presents over HTTPS until it registers. `resync` is
// one provisioning pass (the redirect query first, while the phone is Open
// and has no Profile_Rule) and logs each step; `run` repeats it on the
// phone's own timers (Resync_Periodic after a success,
// Resync_Error_Retry_Delay after a failure; a TR-069 phone's
// Periodic_Inform_Interval and TR-069's retry wait), and a TR-069 phone
// with a connection-request listener starts a session when the ACS asks.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "boost/asio/ip/address.hpp"
#include "device-agent/factory.h"
#include "lib/http/client/http_url.h"
#include "device-agent/connection_request_listener.h"
#include "device-agent/phone.h"
#include "device-agent/simulator.h"
#include "device-agent/state.h"
#include "device-agent/timing.h"
#include "google/protobuf/util/json_util.h"
#include "lib/kit/config/flags.h"
#include "lib/phone/identity/mac_address.h"

namespace onramp::agent {
namespace {

constexpr char kUsage[] =
    "Usage: device-agent factory-reset|resync|run|set|status --state_dir DIR [flags]\n"
    "       device-agent sim --phones N --activation_url URL [flags]\n"
    "       device-agent call start|end --state_dir DIR\n"
    "`device-agent COMMAND --help` lists each command's flags.\n";

int Fail(const absl::Status& status) {
  std::cerr << "device-agent: " << status.message() << "\n";
  return 1;
}

// The stand-in factory from --factory_ca_cert and --factory_ca_key; none
// without them.
absl::StatusOr<std::optional<Factory>> FactoryOf(const std::string& cert_file, const std::string& key_file) {
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError("--factory_ca_cert and --factory_ca_key come together");
  }
  if (cert_file.empty()) return std::optional<Factory>();
  absl::StatusOr<Factory> factory = Factory::Load(cert_file, key_file);
  if (!factory.ok()) return factory.status();
  return std::optional<Factory>(*std::move(factory));
}

void FactoryFlags(config::Flags& flags, std::string* cert_file, std::string* key_file) {
  flags.String("factory_ca_cert", cert_file,
               "The manufacturer's CA certificate (PEM): a phone without a factory certificate gets one.");
  flags.String("factory_ca_key", key_file, "Its private key (PEM).");
}

int FactoryResetCommand(int argc, char** argv) {
  std::string dir, mac, model, serial, firmware, factory_cert, factory_key;
  config::Flags flags("device-agent factory-reset", "Clears the phone to its factory state (Open).");
  flags.RequiredString("state_dir", &dir, "The phone's flash.");
  flags.String("mac", &mac, "Its MAC (needed the first time).");
  flags.String("model", &model, "Its model, the $PN (needed the first time).");
  flags.String("serial", &serial, "Its serial number.");
  flags.String("firmware", &firmware, "The image it runs, e.g. sip88xx.11-2-3MSR1-1.loads.");
  FactoryFlags(flags, &factory_cert, &factory_key);
  flags.ParseOrExit(argc, argv);
  absl::StatusOr<std::optional<Factory>> factory = FactoryOf(factory_cert, factory_key);
  if (!factory.ok()) return Fail(factory.status());
  absl::StatusOr<v1::PhoneState> state = LoadState(dir);
  if (!state.ok() && state.status().code() != absl::StatusCode::kNotFound) return Fail(state.status());
  v1::PhoneState current = state.ok() ? *state : v1::PhoneState();
  if (!mac.empty()) {
    absl::StatusOr<identity::MacAddress> parsed = identity::MacAddress::Parse(mac);
    if (!parsed.ok()) return Fail(parsed.status());
    current.set_mac(parsed->Lower());
  }
  if (!model.empty()) current.set_model(model);
  if (!serial.empty()) current.set_serial(serial);
  if (!firmware.empty()) current.set_firmware(firmware);
  if (current.mac().empty() || current.model().empty()) {
    return Fail(absl::InvalidArgumentError("a new phone needs --mac and --model"));
  }
  if (*factory) {
    if (absl::Status made = (*factory)->Manufacture(current); !made.ok()) return Fail(made);
  }
  if (absl::Status saved = SaveState(dir, FactoryReset(current)); !saved.ok()) return Fail(saved);
  std::cout << "factory reset: " << current.mac() << " " << current.model() << " is Open"
            << (current.factory_cert_pem().empty() ? " (no factory certificate)\n" : "\n");
  return 0;
}

// A DHCP lease's options, one "<code> <value>" per line ('#' comments).
absl::StatusOr<std::map<int, std::string>> ReadLease(const std::string& path) {
  std::map<int, std::string> options;
  if (path.empty()) return options;
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  int number = 0;
  for (std::string line; std::getline(file, line);) {
    ++number;
    std::string_view text = line;
    if (text.empty() || text.starts_with('#')) continue;
    size_t space = text.find(' ');
    int code = 0;
    if (space == std::string_view::npos || !absl::SimpleAtoi(absl::string_view(text.data(), space), &code)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": expected \"<option code> <value>\""));
    }
    options[code] = std::string(text.substr(space + 1));
  }
  return options;
}

int ResyncCommand(int argc, char** argv, bool repeat) {
  PhoneOptions options;
  int passes = 0;
  config::Flags flags(repeat ? "device-agent run" : "device-agent resync",
                      repeat ? "Provisions on the phone's timers until stopped." : "One provisioning pass.");
  if (repeat) flags.Int("passes", &passes, 0, 1000000, "Stop after this many passes; 0: never.");
  flags.RequiredString("state_dir", &options.state_dir, "The phone's flash.");
  flags.String("activation_url", &options.activation_url,
               "Where an Open phone asks who owns it (the gateway's base URL).");
  flags.String("ca_file", &options.ca_file, "CA of the servers' certificates (default: the system's).");
  flags.String("user_agent", &options.user_agent, "Instead of Cisco-<PN>/<version> (<MAC>).");
  flags.String("proxy", &options.proxy, "An HTTP proxy, host:port, until the profile names one.");
  flags.String("dns_server", &options.dns_resolver,
               "The phone's DNS server, host:port (names, SRV discovery, [--srv] rules); "
               "default: the lease's option 6, else the host's resolver.");
  std::string lease;
  flags.String("dhcp_lease", &lease,
               "DHCP options the phone got, \"<code> <value>\" per line (6, 15, 43, 66, 125, 150, 159, 160).");
  flags.String("code", &options.activation_code,
               "What to type at the activation screen: 16 digits, or # and a 3-16 digit short code; "
               "- (or none, on a terminal): asked at a prompt.");
  std::string listen;
  if (repeat) {
    flags.String("connection_request_listen", &listen,
                 "A TR-069 phone's connection-request listener, IP:port (port 0: any); its URL goes in the "
                 "phone's Informs, and a request with the ACS's credentials starts a session at once.");
  }
  flags.ParseOrExit(argc, argv);
  if (options.activation_code == "-" || (options.activation_code.empty() && isatty(STDIN_FILENO))) {
    options.activation_code.clear();
    // The activation screen: the user types the code (nothing: it waits).
    options.ask_activation_code = [] {
      std::cerr << "Activation code: " << std::flush;
      std::string typed;
      std::getline(std::cin, typed);
      return std::string(absl::StripAsciiWhitespace(typed));
    };
  }
  options.on_step = [](const std::string& step) { std::cout << step << std::endl; };
  absl::StatusOr<std::map<int, std::string>> dhcp = ReadLease(lease);
  if (!dhcp.ok()) return Fail(dhcp.status());
  options.dhcp_options = *std::move(dhcp);
  std::mt19937_64 random(std::random_device{}());
  auto draw = [&random](int64_t bound) { return std::uniform_int_distribution<int64_t>(0, bound)(random); };
  // Between passes the phone waits for its timer, or for the ACS.
  std::mutex mutex;
  std::condition_variable woken;
  bool connection_requested = false;
  std::unique_ptr<ConnectionRequestListener> listener;
  if (!listen.empty()) {
    size_t colon = listen.rfind(':');
    int port = 0;
    if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port)) {
      return Fail(absl::InvalidArgumentError("--connection_request_listen takes IP:port"));
    }
    std::string host = listen.substr(0, colon);
    if (host.starts_with("[") && host.ends_with("]")) host = host.substr(1, host.size() - 2);
    absl::StatusOr<std::unique_ptr<ConnectionRequestListener>> started = ConnectionRequestListener::Start(
        host, port, "/connection-request",
        [dir = options.state_dir]() -> ListenerCredentials {
          absl::StatusOr<v1::PhoneState> state = LoadState(dir);
          if (!state.ok()) return {};
          auto value = [&state](const char* name) {
            auto found = state->parameters().find(name);
            return found == state->parameters().end() ? std::string() : found->second.value();
          };
          return {value("Connection_Request_Username"), value("Connection_Request_Password")};
        },
        [&] {
          std::lock_guard lock(mutex);
          connection_requested = true;
          woken.notify_one();
        });
    if (!started.ok()) return Fail(started.status());
    listener = *std::move(started);
    options.connection_request_url = listener->url();
    std::cout << "connection requests taken at " << listener->url() << std::endl;
  }
  // Waits `seconds`, or less if the ACS asks for a session; whether it did.
  auto wait = [&](int64_t seconds) {
    std::unique_lock lock(mutex);
    woken.wait_for(lock, std::chrono::seconds(seconds), [&] { return connection_requested; });
    bool asked = connection_requested;
    connection_requested = false;
    return asked;
  };
  bool asked = false;
  if (repeat) {
    // Powering on: the first resync waits as the phone's settings say.
    absl::StatusOr<v1::PhoneState> booted = LoadState(options.state_dir);
    if (!booted.ok()) return Fail(booted.status());
    std::optional<int64_t> first = BootResyncSeconds(*booted, draw);
    if (!first) {
      std::cout << "resync timer off: nothing to do" << std::endl;
      return 0;
    }
    std::cout << "powered on: first resync in " << *first << " s" << std::endl;
    asked = wait(*first);
  }
  http_client::TlsSessions tls_sessions;  // the phone's memory while it stays powered on
  options.tls_sessions = &tls_sessions;
  for (int pass = 1;; ++pass) {
    absl::StatusOr<Phone> phone = Phone::Load(options);
    if (!phone.ok()) return Fail(phone.status());
    if (asked) phone->ConnectionRequested();
    if (absl::Status done = phone->Provision(); !done.ok()) return Fail(done);
    std::cout << "outcome " << phone->state().last_outcome() << ": " << phone->state().last_detail() << "; state "
              << phone->state().customization_state() << std::endl;
    if (!repeat) return phone->state().last_outcome() == "A" ? 0 : 3;
    if (passes > 0 && pass >= passes) return 0;
    std::optional<int64_t> next = phone->Tr069Enabled() ? NextInformSeconds(phone->state(), draw)
                                                        : NextResyncSeconds(phone->state(), draw);
    if (!next && listener == nullptr) {
      std::cout << "resync timer off: done" << std::endl;
      return 0;
    }
    // With the timer off a listening phone waits for the ACS alone.
    constexpr int64_t kForever = int64_t{1} << 40;
    if (next) std::cout << "next resync in " << *next << " s" << std::endl;
    asked = wait(next.value_or(kForever));
  }
}

int SetCommand(int argc, char** argv) {
  PhoneOptions options;
  std::vector<std::string> words;
  config::Flags flags("device-agent set", "Sets a parameter by hand, as on the phone's web page.");
  flags.RequiredString("state_dir", &options.state_dir, "The phone's flash.");
  flags.AllowPositional("NAME VALUE", &words);
  flags.Check([&words]() -> absl::Status {
    return words.size() == 2 ? absl::OkStatus() : absl::InvalidArgumentError("expected NAME VALUE");
  });
  flags.ParseOrExit(argc, argv);
  absl::StatusOr<Phone> phone = Phone::Load(options);
  if (!phone.ok()) return Fail(phone.status());
  if (absl::Status set = phone->Set(words[0], words[1]); !set.ok()) return Fail(set);
  std::cout << words[0] << " set; state " << phone->state().customization_state() << "\n";
  return 0;
}

int CallCommand(int argc, char** argv) {
  std::string dir;
  std::vector<std::string> words;
  config::Flags flags("device-agent call", "A call starts or ends: resyncs wait while one is up.");
  flags.RequiredString("state_dir", &dir, "The phone's flash.");
  flags.AllowPositional("start|end", &words);
  flags.Check([&words]() -> absl::Status {
    return words.size() == 1 && (words[0] == "start" || words[0] == "end")
               ? absl::OkStatus()
               : absl::InvalidArgumentError("expected start or end");
  });
  flags.ParseOrExit(argc, argv);
  absl::StatusOr<v1::PhoneState> state = LoadState(dir);
  if (!state.ok()) return Fail(state.status());
  state->set_in_call(words[0] == "start");
  if (absl::Status saved = SaveState(dir, *state); !saved.ok()) return Fail(saved);
  std::cout << (state->in_call() ? "in a call\n" : "idle\n");
  return 0;
}

int StatusCommand(int argc, char** argv) {
  std::string dir;
  bool json = false;
  config::Flags flags("device-agent status", "The phone's state.");
  flags.RequiredString("state_dir", &dir, "The phone's flash.");
  flags.Bool("json", &json, "The whole state as JSON.");
  flags.ParseOrExit(argc, argv);
  absl::StatusOr<v1::PhoneState> state = LoadState(dir);
  if (!state.ok()) return Fail(state.status());
  if (json) {
    std::string text;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(*state, &text, options);
    std::cout << text << "\n";
    return 0;
  }
  std::cout << "phone          " << state->mac() << " " << state->model() << "\n"
            << "firmware       " << state->firmware()
            << (state->last_upgrade().empty() ? "" : absl::StrCat(" (last upgrade: ", state->last_upgrade(), ")")) << "\n"
            << "customization  " << state->customization_state() << "\n"
            << "last resync    " << (state->last_outcome().empty() ? "never" : state->last_outcome()) << " "
            << state->last_detail() << "\n"
            << "cloud          " << (state->registered() ? "registered" : "not registered") << "\n"
            << "parameters     " << state->parameters_size() << "\n";
  return 0;
}

// "auto": phones on loopback each take an address of their own (a gateway
// limits each address, as it would each phone on a network).
std::string SourceNetworkFor(const std::string& flag, const std::string& activation_url) {
  if (flag != "auto") return flag;
  std::optional<HttpLocation> location = ParseHttpUrl(activation_url);
  if (!location) return "";
  boost::system::error_code not_an_address;
  boost::asio::ip::address address = boost::asio::ip::make_address(location->host, not_an_address);
  bool loopback = location->host == "localhost" || (!not_an_address && address.is_v4() && address.is_loopback());
  return loopback ? "127.1.0.0/16" : "";
}

int SimCommand(int argc, char** argv) {
  SimulatorOptions options;
  options.source_network = "auto";
  config::Flags flags("device-agent sim", "Many phones at once: a boot storm from factory reset.");
  flags.Int("phones", &options.phones, 1, 1 << 24, "How many phones.");
  flags.RequiredString("activation_url", &options.activation_url, "Where the phones ask who owns them.");
  flags.String("acs_url", &options.acs_url,
               "A TR-069 ACS (e.g. https://<gateway>/cwmp) the phones' leases name (DHCP option 43): TR-069 "
               "phones, whose passes are CWMP sessions with it.");
  flags.String("mac_prefix", &options.mac_prefix, "First three bytes of every MAC; the rest count phones.");
  flags.String("model", &options.model, "The phones' model.");
  flags.String("firmware", &options.firmware, "The image they run.");
  flags.String("ca_file", &options.ca_file, "CA of the servers' certificates.");
  flags.String("source_network", &options.source_network,
               "IPv4 network each phone takes its own source address from (any 127/8 address is this host's); "
               "\"auto\": 127.1.0.0/16 when the activation URL is on loopback, else none; \"\": one address for all.");
  flags.Int("concurrency", &options.concurrency, 1, 65536, "Passes in flight at once (phones due beyond it wait their turn).");
  flags.Duration("storm", &options.storm_window, "Power-on moments spread over this window (0: all at once).");
  int time_scale = 1;
  flags.Duration("steady_for", &options.steady_for,
                 "After the storm, phones go on resyncing on their timers this long (0: the storm only).");
  flags.Int("time_scale", &time_scale, 1, 1000000, "Phone seconds per real second (the power-on random delay, steady resyncs).");
  std::string factory_cert, factory_key;
  FactoryFlags(flags, &factory_cert, &factory_key);
  flags.ParseOrExit(argc, argv);
  absl::StatusOr<std::optional<Factory>> factory = FactoryOf(factory_cert, factory_key);
  if (!factory.ok()) return Fail(factory.status());
  if (*factory) options.factory = &**factory;
  options.time_scale = time_scale;
  options.source_network = SourceNetworkFor(options.source_network, options.activation_url);
  options.on_progress = [](int64_t done, int64_t total) {
    std::cout << "  " << done << " passes (" << total << " phones)" << std::endl;
  };
  absl::StatusOr<SimulationReport> report = Simulate(options);
  if (!report.ok()) return Fail(report.status());
  std::cout << report->passes << " passes by " << options.phones << " phones in "
            << absl::StrFormat("%.1f", report->seconds) << " s ("
            << absl::StrFormat("%.0f", static_cast<double>(report->passes) / report->seconds) << " passes/s)\n"
            << "pass latency ms: p50 " << absl::StrFormat("%.1f", report->p50_ms) << ", p90 "
            << absl::StrFormat("%.1f", report->p90_ms) << ", p99 " << absl::StrFormat("%.1f", report->p99_ms)
            << ", max " << absl::StrFormat("%.1f", report->max_ms) << "\n";
  for (const auto& [state, count] : report->by_state) std::cout << "state " << state << ": " << count << "\n";
  std::cout << "registered: " << report->registered << "\n";
  for (const auto& [outcome, count] : report->by_outcome) std::cout << "outcome " << outcome << ": " << count << "\n";
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::cout << "cpu seconds: "
            << absl::StrFormat("%.2f", absl::ToDoubleSeconds(absl::DurationFromTimeval(usage.ru_utime) +
                                                             absl::DurationFromTimeval(usage.ru_stime)))
            << "\n";
  // Peak resident memory, as the kernel counts it.
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) std::cout << "peak RSS" << line.substr(6) << "\n";
  }
  return report->by_outcome.size() == 1 && report->by_outcome.begin()->first == "A" ? 0 : 3;
}

int Main(int argc, char** argv) {
  std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "factory-reset") return FactoryResetCommand(argc - 1, argv + 1);
  if (command == "resync") return ResyncCommand(argc - 1, argv + 1, /*repeat=*/false);
  if (command == "run") return ResyncCommand(argc - 1, argv + 1, /*repeat=*/true);
  if (command == "set") return SetCommand(argc - 1, argv + 1);
  if (command == "status") return StatusCommand(argc - 1, argv + 1);
  if (command == "sim") return SimCommand(argc - 1, argv + 1);
  if (command == "call") return CallCommand(argc - 1, argv + 1);
  std::cerr << kUsage;
  return command == "--help" || command == "-h" ? 0 : 2;
}

}  // namespace
}  // namespace onramp::agent

int main(int argc, char** argv) { return onramp::agent::Main(argc, argv); }
