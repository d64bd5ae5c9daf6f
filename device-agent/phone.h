#ifndef ONRAMP_DEVICE_AGENT_PHONE_H_
#define ONRAMP_DEVICE_AGENT_PHONE_H_

// One simulated phone doing what the seed document's phones do on a
// provisioning pass:
//   - with a provisioning URL from DHCP (option 160 or 159) it takes that
//     as its Profile_Rule and never asks the activation service (Aborted);
//   - else, with a DHCP domain, it looks up _ciscoprov-https._tls.<domain>
//     then _ciscoprov-http._tcp.<domain> (priority, then weight, lower
//     first), and the first reachable server gives it
//     <scheme>://<host>:<port>/$PSN.xml (Aborted too);
//   - out of the box (no Profile_Rule yet, state Open) it asks the
//     activation service who owns it: GET <activation-url>/device/<PN>/<MAC>
//     (state Pending); a redirect profile sets its Profile_Rule (Custom
//     Pending), a 404 leaves it Unavailable;
//   - with no owner by MAC (Unavailable) or a gds:// rule, it takes an
//     activation code (as typed on its screen) to POST <activation-url>/activation;
//     the onboarding profile sets its Profile_Rule (the customization state,
//     which is about the redirect, stays as it was);
//   - with the one-time Cloud_Registration_Credential its redirect gave
//     (and Cloud_Registration_Enable not No: the switch), it registers: a new key and CSR, POST <activation-url>/register, the
//     certificate kept and presented over HTTPS from then on (so profiles
//     with secrets come to it in the clear);
//   - then it resyncs: Profile_Rule (then _B, _C, _D) evaluated with its
//     macros, the profile fetched over HTTP or HTTPS, decrypted (`--key`:
//     AES-256-CBC as openssl enc writes it; Content-Encoding aes128gcm with
//     IKM_HTTP_Encrypt_Content), gunzipped, and its parameters applied; the
//     first profile applied makes a Custom Pending phone Acquired.
//   - with Upgrade_Enable and an Upgrade_Rule naming another image, it
//     downloads it (resuming a broken download with Range and If-Range),
//     checks it against the server's ETag when that is a SHA-256, "reboots"
//     into it, reports the outcome through its Report_Rule and resyncs
//     again, so a multi-stage plan runs hop by hop in one pass; a failed
//     upgrade stays pending (Upgrade_Error_Retry_Delay, see timing.h).
// Outcomes follow the status table: 200/304 → A, 404 → B, anything else C;
// 301/302 are followed at once.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/http/client/http_client.h"
#include "lib/http/client/http_url.h"
#include "device-agent/phone_io.h"
#include "lib/phone/macro/macro.h"
#include "lib/phone/rule/rule.h"
#include "onramp/agent/v1/state.pb.h"

namespace onramp::agent {

struct PhoneOptions {
  // The phone's flash; empty: a phone held in memory only (the simulator's),
  // which keeps its registration in its state and never upgrades (no room
  // for images).
  std::string state_dir;
  std::string activation_url;  // e.g. "https://activate.example.com"; empty: skip the redirect query
  std::string ca_file;         // CA that signed the servers' certificates; empty: the system's
  std::string user_agent;      // empty: Cisco-<PN>/<version> (<MAC>)
  // What the user types at the activation screen (gds://, or after the
  // redirect found no owner): 16 digits, or '#' and a 3-16 digit short code.
  std::string activation_code;
  // Without one, asked for when the phone is at its activation screen (the
  // CLI's prompt); empty answer or no function: the phone waits there.
  std::function<std::string()> ask_activation_code;
  // DHCP options as a lease would give them (the agent is no DHCP client):
  // 159/160 a provisioning URL (the Profile_Rule; remote customization is
  // then not tried: Aborted), 66/150 the TFTP server for rules without one,
  // 43/125 a TR-069 ACS URL (kept as ACS_URL; with Enable_TR-069 not No
  // the phone then resyncs with that ACS: phone_cwmp.cc).
  std::map<int, std::string> dhcp_options;
  // The phone's DNS server ("host:port"), for names, DHCP-domain SRV
  // discovery and [--srv] rules; empty: the lease's option 6 (port 53), or
  // without one the system's resolver.
  std::string dns_resolver;
  // The address the phone's HTTP(S) requests come from; empty: the
  // system's choice (the simulator gives each phone a loopback address).
  std::string source_address;
  // An HTTP proxy ("host:port") until the profile names one
  // (HTTP_Proxy_Host_Address and HTTP_Proxy_Port).
  std::string proxy;
  // Where the phone takes TR-069 connection requests (its listener:
  // connection_request_listener.h), reported in its Informs; empty: none.
  std::string connection_request_url;
  // The TLS sessions the phone keeps in memory and resumes, as phones that
  // support resumption do; its owner keeps them from pass to pass (and a
  // power cycle loses them). Null: a full handshake on every connection.
  http_client::TlsSessions* tls_sessions = nullptr;
  // Each step, for the log ("redirect: 200 from ...").
  std::function<void(const std::string&)> on_step = [](const std::string&) {};
};

class Phone {
 public:
  // The phone whose flash is options.state_dir (see device-agent/state.h).
  static absl::StatusOr<Phone> Load(PhoneOptions options);
  // A phone whose state lives only in memory (options.state_dir empty).
  static Phone InMemory(PhoneOptions options, v1::PhoneState state) {
    return Phone(std::move(options), std::move(state), nullptr);
  }
  // A phone on the parts given (tests' fakes). Without `flash` it is held in
  // memory; without `clock`, the system's.
  Phone(PhoneOptions options, v1::PhoneState state, std::unique_ptr<Flash> flash, const Clock* clock = nullptr);

  // One provisioning pass (none while in a call); the state is saved after
  // it either way. An error means the pass could not run at all (not a
  // failed fetch, which is outcome B or C). Its requests go over `network`;
  // over this host's through `client` (the simulator's: a fiber on a
  // shared loop) or, without one, blocking this thread.
  absl::Status Provision();
  absl::Status Provision(HttpClient& client);
  absl::Status Provision(Network& network);

  // TR-069 mode (phone_cwmp.cc): on with Enable_TR-069, or (unset) with an
  // ACS from the lease, and an ACS_URL. Its passes are sessions with the ACS.
  bool Tr069Enabled() const;

  // The ACS asked for a session (its listener took a connection request):
  // the next pass's Inform says "6 CONNECTION REQUEST".
  void ConnectionRequested();

  // A parameter set by hand (the phone's web page): before Acquired it
  // aborts remote customization.
  absl::Status Set(const std::string& name, const std::string& value);

  const v1::PhoneState& state() const { return state_; }

 private:
  absl::Status Save() const;
  bool HasFlash() const { return flash_ != nullptr; }
  absl::Status QueryActivation();
  void DiscoverBySrv(const std::string& domain);
  struct SrvServer {
    std::string host;
    int port = 0;
  };
  // The first of `name`'s SRV records (priority, then weight) whose host is
  // inside `domain` and answers.
  std::optional<SrvServer> FirstReachableSrv(const std::string& name, const std::string& domain);
  // "host:port" of the phone's DNS server: --dns_server, else the lease's
  // option 6 (its first address); empty: the host's resolver.
  std::string DnsServer() const;
  absl::Status EnterActivationCode(const std::string& code);
  // An ACS URL from DHCP option 43 or 125, kept as ACS_URL.
  void DiscoverAcs();
  // Runs the profile rules; then the upgrade, if one is due. True when the
  // phone rebooted into new firmware.
  absl::StatusOr<bool> Upgrade();
  absl::StatusOr<HttpResponse> Download(const HttpLocation& location);
  // Downloads the image at `location`, checks it and "reboots" into it;
  // nullopt when it runs it now, else why not (also its last_upgrade).
  std::optional<std::string> Install(const HttpLocation& location, const std::string& image);
  // Sessions with the ACS until nothing it asked is left to do.
  absl::Status RunCwmp();
  // One session; false when it could not run to its end (outcome C).
  bool CwmpSession();
  // One Download the ACS asked for (`rebooted` set when it installed
  // firmware); nullopt when done, else why not.
  std::optional<std::string> Fetch(const v1::CwmpDownload& download, bool* rebooted);
  // Keeps `pem` (CA certificates) to trust from then on besides the CA it
  // was given; nullopt when kept, else why not.
  std::optional<std::string> InstallCustomCa(const std::string& pem);
  // Does what the ACS asked for after the session (a Download, a Reboot, a
  // FactoryReset); true when the phone then opens another session.
  bool AfterCwmpSession();
  void ReportUpgrade(const std::string& from, const std::string& to, const std::string& outcome);
  void RunProfileRules();
  // A new customization state (Acquired) goes to the cloud, once, as the
  // phone's own word (POST <activation-url>/state over mutual TLS), unless
  // the cloud saw it already (its profile came with its certificate).
  void ReportStateToCloud();
  macro::Variables Variables() const;
  absl::Status RegisterWithCloud();
  // Fetches and applies the profile `rule` names; false: skipped (empty or
  // no condition held).
  absl::StatusOr<bool> Resync(const std::string& rule_text);
  absl::Status Apply(const std::string& profile_xml);
  // A fetched profile (HTTP, or TFTP as a 200/404): decrypted, applied, and
  // the outcome recorded. `seen_by_its_certificate`: it came over TLS with
  // the phone's certificate, so the fleet knows the phone got it.
  void Received(HttpResponse& response, const rule::Target& target, bool seen_by_its_certificate);
  // Whether it has a certificate to present (the cloud's or its factory one).
  bool HasCertificate() const;
  void Move(const std::string& to);
  std::string UserAgent() const;
  std::string Parameter(const std::string& name) const;
  // What the phone does, told to options_.on_step and, when its profile
  // names one (Syslog_Server, "host" or "host:port"), to its syslog server.
  void Step(const std::string& step) const;
  // A request to the activation service (under options.activation_url).
  absl::StatusOr<HttpRequest> ToActivationService(const std::string& method, const std::string& path) const;
  // Every HTTP(S) request goes through here: the phone's User-Agent, CA,
  // certificate, DNS server and proxy applied.
  absl::StatusOr<HttpResponse> Send(HttpRequest request) const;

  PhoneOptions options_;
  v1::PhoneState state_;
  std::unique_ptr<Flash> flash_;  // null: held in memory
  const Clock* clock_;
  // The pass's network (set for the length of a pass).
  Network* network_ = nullptr;
  // Names the phone's DNS server resolved during this pass (a phone keeps
  // answers for their TTL; a pass is far shorter).
  mutable std::map<std::string, std::string> addresses_;
};

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_PHONE_H_
