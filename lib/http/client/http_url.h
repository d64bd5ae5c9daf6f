#ifndef ONRAMP_LIB_HTTP_CLIENT_HTTP_URL_H_
#define ONRAMP_LIB_HTTP_CLIENT_HTTP_URL_H_

// Where an HTTP(S) request goes, from a URL as RFC 3986 reads it
// (Boost.URL): IPv6 literals ("http://[2001:db8::1]:8080/x"), default ports,
// and a redirect's Location resolved against the URL it answered, relative
// references included ("/other", "../p.xml").

#include <optional>
#include <string>
#include <string_view>

namespace onramp::http_client {

struct HttpLocation {
  bool tls = false;
  std::string host;  // a name, an IPv4 address or an IPv6 address without brackets
  int port = 80;
  std::string target = "/";  // path and query, as sent
};

// nullopt unless an http or https URL with a host.
std::optional<HttpLocation> ParseHttpUrl(std::string_view url);

// A Location header against the location it answered; nullopt unless it
// resolves to an http or https URL.
std::optional<HttpLocation> ResolveRedirect(const HttpLocation& from, std::string_view location);

// The URL again ("https://[::1]:8443/p.xml").
std::string UrlOf(const HttpLocation& location);

}  // namespace onramp::http_client

#endif  // ONRAMP_LIB_HTTP_CLIENT_HTTP_URL_H_
