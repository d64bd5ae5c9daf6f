#ifndef ONRAMP_SERVICES_GATEWAY_CONSOLE_H_
#define ONRAMP_SERVICES_GATEWAY_CONSOLE_H_

// The partner console under /console/ (HTTPS only): its pages and static
// files (services/gateway/console, embedded in the binary), and its
// sign-in. Everything a page shows it fetches from the public /api/v1 with
// the session cookie; this class only signs in and out and serves files.
//
//   POST   /console/session   {"api_key": "..."} -> session cookie (HttpOnly,
//                             Secure, SameSite=Strict) and its CSRF token
//   GET    /console/session   who is signed in, and the CSRF token
//   DELETE /console/session   signs out (needs the CSRF token)
//   GET    /console/sign-in   the sign-in page
//   GET    /console/assets/*  CSS and JavaScript modules
//   GET    /console/, /console/phones[/<mac>], /console/claim, /console/codes,
//          /console/layers, /console/firmware
//                             the page (one shell; its script draws the page
//                             the path names), or 303 to the sign-in page
//                             without a live session
//
// Every answer carries a Content-Security-Policy allowing only our own
// scripts and styles, and nosniff / no framing.

#include <map>
#include <string>
#include <string_view>

#include "lib/kit/clients/device_activation.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/gateway/http_server.h"
#include "services/gateway/partner_auth.h"

namespace onramp::gateway {

class Console {
 public:
  // Counts sign-ins in `registry` (onramp_gateway_console_sign_ins_total).
  Console(clients::DeviceActivation& devices, PartnerAuth& auth, prometheus::Registry& registry);

  // Whether `target` is the console's.
  static bool Owns(std::string_view target);

  Reply Handle(const Request& request, const Peer& peer, const std::string& request_id);

 private:
  struct Asset {
    std::string_view bytes;
    std::string content_type;
    std::string etag;
  };

  Reply Session(const Request& request, const std::string& request_id);
  Reply SignIn(const Request& request, const std::string& request_id);
  Reply SignOut(const Request& request, const std::string& request_id);
  Reply Serve(const Asset& asset, const Request& request, std::string_view cache_control);

  clients::DeviceActivation& devices_;
  PartnerAuth& auth_;
  std::map<std::string, Asset, std::less<>> assets_;  // by file name
  prometheus::Family<prometheus::Counter>& sign_ins_;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_CONSOLE_H_
