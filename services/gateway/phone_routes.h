#ifndef ONRAMP_SERVICES_GATEWAY_PHONE_ROUTES_H_
#define ONRAMP_SERVICES_GATEWAY_PHONE_ROUTES_H_

// What phones ask the gateway, turned into service calls. Each call
// carries the request's evidence (docs/TRUST.md): its channel, and what a
// client certificate proved about the phone the request names (its
// factory certificate, or its current registration certificate). The
// services decide what that earns; the gateway only translates.
//   GET /device/<model>/<mac>  the redirect query (device-activation Lookup),
//                              answered with a flat-profile holding the
//                              provider's Profile_Rule and parameters and,
//                              for a phone that proved itself over HTTPS,
//                              its registration credential and profile key;
//   GET /<file>                the factory-default file names a phone asks
//                              for before it knows its provider: &PN.cfg,
//                              $MA.cfg (or .xml) and $PSN.xml; the same
//                              redirect, identity from name and User-Agent;
//   POST /activation           a code typed on the phone's activation
//                              screen (form field "code"): 16 digits
//                              (activation-code RedeemCode, check digit
//                              verified first, then device-activation
//                              Admit) or '#' and 3-16 digits (a short code:
//                              device-activation ResolveShortCode, the
//                              rule only); the onboarding profile;
//   GET|POST /profile/<file>   the resync (profile-render Render), identity
//                              from the file name ($MA.xml / $MA.cfg) and the
//                              User-Agent (the whole firmware version from a
//                              "swver" query parameter, for upgrade plans);
//                              ETag / If-None-Match. Over HTTPS
//                              with a client certificate (CN = the MAC) a
//                              phone gets only its own profile (403 for
//                              another's), and its fetch counts as the
//                              phone's; a profile with secrets never leaves
//                              unencrypted on any other channel (403);
//                              a partner's HTTP authentication (Basic or
//                              Digest, checked by profile-render) gets 401
//                              challenges until the phone sends it;
//   GET|HEAD /firmware/<file> an image from firmware-catalog, streamed
//                              (never held whole), with a strong ETag (its
//                              SHA-256), If-None-Match, Range and If-Range;
//   POST /register             the phone's cloud registration, over HTTPS
//                              only (form fields credential, from its
//                              onboarding answer, and csr, a PEM request;
//                              mac or the User-Agent): device-activation
//                              Register; answers its certificate and the
//                              CA's, PEM;
//   POST /state                the phone's customization state (form field
//                              state, e.g. "acquired"): device-activation
//                              ReportState, which takes it only on the
//                              phone's proof (mutual TLS);
//   POST /report[/<file>]      a Report_Rule upload (profile-render Report,
//                              which opens a body encrypted with the
//                              phone's key and passes upgrade outcomes to
//                              firmware-catalog), the MAC from the file
//                              name or User-Agent;
//   GET /healthz               200 while the listener runs (for probes).
// With an EdgeCache, a resync GET whose answer profile-render let the
// gateway copy is answered from the copy (Quick, on the event loop), and
// the delivery told to profile-render in a batch (EdgeDeliveries).
// Statuses follow the phone's table (lib/http/status): 404 only for "no
// such profile", 5xx only for faults; 429 and 503 carry Retry-After, the
// service's own wait when it gave one.

#include <optional>
#include <string>
#include <variant>

#include "lib/kit/clients/acs.h"
#include "lib/kit/clients/activation_codes.h"
#include "lib/kit/clients/device_activation.h"
#include "lib/kit/clients/firmware_catalog.h"
#include "lib/kit/clients/profile_render.h"
#include "lib/phone/identity/user_agent.h"
#include "onramp/common/v1/common.pb.h"
#include "services/gateway/edge_cache.h"
#include "services/gateway/edge_deliveries.h"
#include "services/gateway/http_server.h"
#include "services/gateway/revoked_certificates.h"

namespace onramp::gateway {

class PhoneRoutes {
 public:
  // `revoked` says which registration certificates still stand.
  // `acs` (may be null: no TR-069 here) takes the phones' CWMP POSTs.
  // `edge` and `deliveries` (both or neither) keep and use copies of
  // rendered answers.
  PhoneRoutes(clients::ActivationCodes& codes, clients::DeviceActivation& devices,
              clients::ProfileRender& profiles, clients::FirmwareCatalog& firmware,
              const RevokedCertificates& revoked, clients::Acs* acs = nullptr, EdgeCache* edge = nullptr,
              EdgeDeliveries* deliveries = nullptr)
      : codes_(codes), devices_(devices), profiles_(profiles), firmware_(firmware), revoked_(revoked), acs_(acs),
        edge_(edge), deliveries_(deliveries) {}

  // May block on backends. A resync it gets is rendered: the listeners ask
  // Quick first.
  Reply Handle(const Request& request, const Peer& peer, const std::string& request_id);
  // What can be answered from memory without blocking (health probes,
  // resyncs with a copy); nullopt: Handle it.
  std::optional<Reply> Quick(const Request& request, const Peer& peer);

  // What this request proves about the phone with MAC `mac` ($MA form).
  common::v1::Evidence EvidenceFor(const Peer& peer, const std::string& mac) const;

 private:
  // `agent` (the User-Agent, if one parsed) adds serial and firmware.
  Response Redirect(const absl::StatusOr<identity::UserAgent>& agent, const Peer& peer,
                    const std::string& model, const std::string& mac, const std::string& request_id);
  Response Activate(const Request& request, const Peer& peer, const std::string& request_id);
  Response FactoryFile(const Request& request, const Peer& peer, const std::string& file,
                       const std::string& request_id);
  // The same asked over TFTP, which carries no User-Agent.
  Response TftpFactoryFile(const Peer& peer, const std::string& file, const std::string& request_id);
  Reply Firmware(const Request& request, const std::string& file, const std::string& request_id);
  Response Register(const Request& request, const Peer& peer, const std::string& request_id);
  Response State(const Request& request, const Peer& peer, const std::string& request_id);
  // A CWMP POST: only over HTTPS from a phone that proved itself with its
  // certificate; the session rides in a cookie.
  Response Cwmp(const Request& request, const Peer& peer, const std::string& request_id);
  Response Report(const Request& request, const Peer& peer, const std::string& file,
                  const std::string& request_id);
  Response Resync(const Request& request, const Peer& peer, const std::string& file,
                  const std::string& request_id);
  // The resync's Render request, or the reply that refuses it.
  std::variant<profile::v1::RenderRequest, Response> ResyncOf(const Request& request, const Peer& peer,
                                                              const std::string& file) const;
  // The answer from a copy, with its delivery told; nullopt: no copy.
  std::optional<Response> FromCopy(const profile::v1::RenderRequest& render);
  // 200 to a health probe; nullopt for anything else.
  static std::optional<Reply> Health(const Request& request);

  clients::ActivationCodes& codes_;
  clients::DeviceActivation& devices_;
  clients::ProfileRender& profiles_;
  clients::FirmwareCatalog& firmware_;
  const RevokedCertificates& revoked_;
  clients::Acs* acs_;
  EdgeCache* edge_;
  EdgeDeliveries* deliveries_;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_PHONE_ROUTES_H_
