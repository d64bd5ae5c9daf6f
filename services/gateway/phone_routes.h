#ifndef ONRAMP_SERVICES_GATEWAY_PHONE_ROUTES_H_
#define ONRAMP_SERVICES_GATEWAY_PHONE_ROUTES_H_

// What phones ask the gateway, turned into service calls:
//   GET /device/<model>/<mac>  the redirect query (device-activation Lookup),
//                              answered with a flat-profile holding the
//                              provider's Profile_Rule and parameters;
//   GET /<file>                the factory-default file names a phone asks
//                              for before it knows its provider: &PN.cfg,
//                              $MA.cfg (or .xml) and $PSN.xml; the same
//                              redirect, identity from name and User-Agent;
//   POST /activation           a code typed on the phone's activation
//                              screen (form field "code"): 16 digits
//                              (activation-code RedeemCode, check digit
//                              verified first) or '#' and 3-16 digits (a
//                              short code: device-activation
//                              ResolveShortCode); the onboarding profile;
//   GET|POST /profile/<file>   the resync (profile-render Render), identity
//                              from the file name ($MA.xml / $MA.cfg) and the
//                              User-Agent (the whole firmware version from a
//                              "swver" query parameter, for upgrade plans);
//                              ETag / If-None-Match. Over HTTPS
//                              with a client certificate (CN = the MAC) a
//                              phone gets only its own profile, secrets in
//                              the clear; a profile with secrets never
//                              leaves unencrypted on any other channel (403);
//                              a partner's HTTP authentication (Basic or
//                              Digest, checked by profile-render) gets 401
//                              challenges until the phone sends it;
//   GET|HEAD /firmware/<file> an image from firmware-catalog, streamed
//                              (never held whole), with a strong ETag (its
//                              SHA-256), If-None-Match, Range and If-Range;
//   POST /register             the phone's cloud registration (form fields
//                              credential, from its redirect profile, and
//                              csr, a PEM request; mac or the User-Agent):
//                              device-activation Register; answers its
//                              certificate and the CA's, PEM;
//   POST /report[/<file>]      a Report_Rule upload (profile-render Report),
//                              the MAC from the file name or User-Agent;
//   GET /healthz               200 while the listener runs (for probes).
// Statuses follow the phone's table (lib/http_status): 404 only for "no
// such profile", 5xx only for faults, 503 with Retry-After when busy.

#include <string>

#include "lib/clients/activation_code_client.h"
#include "lib/clients/device_activation_client.h"
#include "lib/clients/firmware_catalog_client.h"
#include "lib/clients/profile_render_client.h"
#include "lib/identity/user_agent.h"
#include "services/gateway/http_server.h"

namespace onramp::gateway {

class PhoneRoutes {
 public:
  PhoneRoutes(clients::ActivationCodeClient& codes, clients::DeviceActivationClient& devices,
              clients::ProfileRenderClient& profiles, clients::FirmwareCatalogClient& firmware)
      : codes_(codes), devices_(devices), profiles_(profiles), firmware_(firmware) {}

  Reply Handle(const Request& request, const Peer& peer, const std::string& request_id);

 private:
  // `agent` (the User-Agent, if one parsed) adds serial and firmware.
  Response Redirect(const absl::StatusOr<identity::UserAgent>& agent, const Peer& peer,
                    const std::string& model, const std::string& mac, const std::string& request_id);
  Response Activate(const Request& request, const Peer& peer, const std::string& request_id);
  Response FactoryFile(const Request& request, const Peer& peer, const std::string& file,
                       const std::string& request_id);
  Reply Firmware(const Request& request, const std::string& file, const std::string& request_id);
  Response Register(const Request& request, const std::string& request_id);
  Response Report(const Request& request, const Peer& peer, const std::string& file,
                  const std::string& request_id);
  Response Resync(const Request& request, const Peer& peer, const std::string& file,
                  const std::string& request_id);

  clients::ActivationCodeClient& codes_;
  clients::DeviceActivationClient& devices_;
  clients::ProfileRenderClient& profiles_;
  clients::FirmwareCatalogClient& firmware_;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_PHONE_ROUTES_H_
