#include "services/gateway/console.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/base/digest/digest.h"
#include "lib/base/strings/json.h"
#include "lib/kit/status/error_detail.h"
#include "services/gateway/console/assets.h"
#include "services/gateway/rest.h"

namespace onramp::gateway {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kRoot = "/console";
constexpr std::string_view kAssets = "/console/assets/";
// The pages the console's shell draws (app.js knows the same list).
constexpr std::array<std::string_view, 6> kPages = {"/console/",      "/console/phones", "/console/claim",
                                                    "/console/codes", "/console/layers", "/console/firmware"};
// As long as device-activation lets a session live at most.
constexpr int kCookieMaxAgeSeconds = 12 * 3600;

bool IsPage(std::string_view path) {
  for (std::string_view page : kPages) {
    if (path == page) return true;
  }
  // A phone: /console/phones/<MAC>, in any of the forms people write.
  constexpr std::string_view kPhone = "/console/phones/";
  if (!path.starts_with(kPhone)) return false;
  std::string_view mac = path.substr(kPhone.size());
  if (mac.empty() || mac.size() > 17) return false;
  for (char c : mac) {
    if (!absl::ascii_isxdigit(c) && c != ':' && c != '-' && c != '.') return false;
  }
  return true;
}

std::string ContentTypeOf(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// What every console answer carries: only our own scripts and styles, no
// framing, no guessing of content types, no full URLs in Referer.
void Secure(Response& response) {
  response.set("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
               "frame-ancestors 'none'; form-action 'self'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "same-origin");
}

Reply Secured(Reply reply) {
  Secure(reply.response);
  return reply;
}

Response Text(http::status status, std::string body) {
  Response response(status, 11);
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.keep_alive(true);
  response.prepare_payload();
  return response;
}

Response SeeOther(std::string location) {
  Response response = Text(http::status::see_other, "");
  response.set(http::field::location, std::move(location));
  return response;
}

std::string SessionCookie(const std::string& value, int max_age_seconds) {
  return absl::StrCat(kSessionCookie, "=", value, "; Path=/; Max-Age=", max_age_seconds,
                      "; Secure; HttpOnly; SameSite=Strict");
}

std::string SessionJson(const std::string& partner, const std::string& secret) {
  return absl::StrCat("{\"partner\":", strings::JsonString(partner),
                      ",\"csrf_token\":", strings::JsonString(CsrfTokenOf(secret)), "}");
}

}  // namespace

Console::Console(clients::DeviceActivation& devices, PartnerAuth& auth, prometheus::Registry& registry)
    : devices_(devices),
      auth_(auth),
      sign_ins_(prometheus::BuildCounter()
                    .Name("onramp_gateway_console_sign_ins_total")
                    .Help("Partner console sign-ins by result: started, refused (a bad key, or not from our "
                          "pages), failed (the backend).")
                    .Register(registry)) {
  for (const console::EmbeddedFile& file : console::Files()) {
    assets_.emplace(std::string(file.name),
                    Asset{.bytes = file.bytes,
                          .content_type = ContentTypeOf(file.name),
                          .etag = absl::StrCat("\"", digest::Sha256Hex(file.bytes, 12), "\"")});
  }
}

bool Console::Owns(std::string_view target) {
  if (!target.starts_with(kRoot)) return false;
  return target.size() == kRoot.size() || target[kRoot.size()] == '/' || target[kRoot.size()] == '?';
}

Reply Console::Handle(const Request& request, const Peer& peer, const std::string& request_id) {
  std::string_view target(request.target().data(), request.target().size());
  std::string_view path = target.substr(0, target.find('?'));
  if (!peer.tls) return Secured(Text(http::status::forbidden, "the console is served over HTTPS only\n"));
  if (path == "/console/session") return Secured(Session(request, request_id));
  bool read = request.method() == http::verb::get || request.method() == http::verb::head;
  if (!read) {
    Response refused = Text(http::status::method_not_allowed, "this path takes GET\n");
    refused.set(http::field::allow, "GET, HEAD");
    return Secured(std::move(refused));
  }
  if (path == kRoot) return Secured(SeeOther("/console/"));
  if (path.starts_with(kAssets)) {
    auto asset = assets_.find(path.substr(kAssets.size()));
    if (asset == assets_.end() || asset->first.ends_with(".html")) {
      return Secured(Text(http::status::not_found, "no such file\n"));
    }
    return Secured(Serve(asset->second, request, "no-cache"));
  }
  if (path == "/console/sign-in") return Secured(Serve(assets_.at("sign-in.html"), request, "no-store"));
  if (!IsPage(path)) return Secured(Text(http::status::not_found, "no such console page\n"));
  std::string session = SessionCookieOf(request);
  absl::Status signed_in = session.empty() ? absl::UnauthenticatedError("no session")
                                           : auth_.SessionPartner(session, request_id).status();
  if (absl::IsUnauthenticated(signed_in)) {
    // The path is one of ours (IsPage), so it goes into the query as is.
    return Secured(SeeOther(absl::StrCat("/console/sign-in?next=", absl::string_view(path.data(), path.size()))));
  }
  if (!signed_in.ok()) {
    // Not knowing is not "signed out": the partner keeps the session and
    // is told to come back, not sent to sign in again.
    Response unavailable = Text(http::status::service_unavailable,
                                "The console cannot check your session just now. Try again in a moment.\n");
    unavailable.set(http::field::retry_after, "5");
    return Secured(std::move(unavailable));
  }
  return Secured(Serve(assets_.at("page.html"), request, "no-store"));
}

Reply Console::Serve(const Asset& asset, const Request& request, std::string_view cache_control) {
  Response response(http::status::ok, 11);
  response.set(http::field::content_type, asset.content_type);
  response.set(http::field::cache_control, cache_control);
  response.set(http::field::etag, asset.etag);
  response.keep_alive(true);
  if (rest::HeaderOf(request, "If-None-Match") == asset.etag) {
    response.result(http::status::not_modified);
  } else if (request.method() != http::verb::head) {
    response.body() = std::string(asset.bytes);
  }
  response.prepare_payload();
  if (request.method() == http::verb::head) response.content_length(asset.bytes.size());
  return response;
}

Reply Console::Session(const Request& request, const std::string& request_id) {
  switch (request.method()) {
    case http::verb::post:
      return SignIn(request, request_id);
    case http::verb::delete_:
      return SignOut(request, request_id);
    case http::verb::get: {
      std::string session = SessionCookieOf(request);
      if (session.empty()) return rest::Error(absl::UnauthenticatedError("not signed in"));
      absl::StatusOr<std::string> partner = auth_.SessionPartner(session, request_id);
      if (!partner.ok()) return rest::Error(partner.status());
      return rest::Json(http::status::ok, SessionJson(*partner, session));
    }
    default: {
      Response refused = Text(http::status::method_not_allowed, "this path takes GET, POST and DELETE\n");
      refused.set(http::field::allow, "GET, POST, DELETE");
      return refused;
    }
  }
}

Reply Console::SignIn(const Request& request, const std::string& request_id) {
  // A page of another site can post a form here, but not JSON (that needs
  // a CORS preflight, which we never grant): no signing a victim in as the
  // attacker's partner. A browser's Origin, when sent, must be ours.
  auto refused = [&](const absl::Status& why) {
    sign_ins_.Add({{"result", why.code() == absl::StatusCode::kUnavailable ||
                                      why.code() == absl::StatusCode::kDeadlineExceeded ||
                                      why.code() == absl::StatusCode::kInternal
                                  ? "failed"
                                  : "refused"}})
        .Increment();
    return rest::Error(why);
  };
  if (!rest::HeaderOf(request, "Content-Type").starts_with("application/json")) {
    return refused(status::InvalidField("Content-Type", "sign in with application/json"));
  }
  std::string origin = rest::HeaderOf(request, "Origin");
  if (!origin.empty() && origin != absl::StrCat("https://", rest::HeaderOf(request, "Host"))) {
    return refused(absl::PermissionDeniedError("sign in from the console's own pages"));
  }
  device::v1::StartConsoleSessionRequest start;
  if (absl::Status parsed = rest::ParseJsonBody(request, &start); !parsed.ok()) return refused(parsed);
  if (start.api_key().empty()) return refused(status::InvalidField("api_key", "give the partner's API key"));
  absl::StatusOr<device::v1::StartConsoleSessionResponse> started =
      devices_.StartConsoleSession(start, request_id);
  if (!started.ok()) return refused(started.status());
  sign_ins_.Add({{"result", "started"}}).Increment();
  Response response = rest::Json(http::status::ok, SessionJson(started->session().partner(), started->secret()));
  response.set(http::field::set_cookie, SessionCookie(started->secret(), kCookieMaxAgeSeconds));
  return response;
}

Reply Console::SignOut(const Request& request, const std::string& request_id) {
  std::string session = SessionCookieOf(request);
  if (!session.empty()) {
    if (absl::Status csrf = CheckCsrf(request, session); !csrf.ok()) return rest::Error(csrf);
    device::v1::ConsoleSessionSecret end;
    end.set_secret(session);
    if (auto ended = devices_.EndConsoleSession(end, request_id); !ended.ok()) return rest::Error(ended.status());
    auth_.Forget(session);
  }
  Response response = rest::Json(http::status::ok, "{}");
  response.set(http::field::set_cookie, SessionCookie("", 0));
  return response;
}

}  // namespace onramp::gateway
