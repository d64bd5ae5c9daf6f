#include "lib/http/client/http_url.h"

#include "absl/strings/str_cat.h"
#include "boost/url/parse.hpp"
#include "boost/url/url.hpp"
#include "boost/url/url_view.hpp"

namespace onramp::http_client {
namespace {

namespace urls = boost::urls;

std::optional<HttpLocation> FromView(const urls::url_view_base& url) {
  HttpLocation location;
  if (url.scheme_id() == urls::scheme::https) {
    location.tls = true;
  } else if (url.scheme_id() != urls::scheme::http) {
    return std::nullopt;
  }
  location.host = std::string(url.host_address());
  if (location.host.empty()) return std::nullopt;
  location.port = location.tls ? 443 : 80;
  if (url.has_port()) {
    if (url.port_number() == 0) return std::nullopt;
    location.port = url.port_number();
  }
  location.target = std::string(url.encoded_target());
  if (location.target.empty() || location.target.front() != '/') location.target = absl::StrCat("/", location.target);
  return location;
}

}  // namespace

std::optional<HttpLocation> ParseHttpUrl(std::string_view url) {
  urls::result<urls::url_view> parsed = urls::parse_uri(urls::string_view(url.data(), url.size()));
  if (!parsed) return std::nullopt;
  return FromView(*parsed);
}

std::optional<HttpLocation> ResolveRedirect(const HttpLocation& from, std::string_view location) {
  const std::string base_url = UrlOf(from);  // the view below points into it
  urls::result<urls::url_view> base = urls::parse_uri(base_url);
  urls::result<urls::url_view> reference =
      urls::parse_uri_reference(urls::string_view(location.data(), location.size()));
  if (!base || !reference) return std::nullopt;
  urls::url resolved;
  if (!urls::resolve(*base, *reference, resolved)) return std::nullopt;
  return FromView(resolved);
}

std::string UrlOf(const HttpLocation& location) {
  bool ipv6 = location.host.find(':') != std::string::npos;
  return absl::StrCat(location.tls ? "https://" : "http://", ipv6 ? "[" : "", location.host, ipv6 ? "]" : "", ":",
                      location.port, location.target);
}

}  // namespace onramp::http_client
