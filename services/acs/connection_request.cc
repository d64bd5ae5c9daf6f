#include "services/acs/connection_request.h"

#include "absl/strings/str_cat.h"
#include "lib/http/auth/authorization.h"
#include "lib/http/client/http_client.h"
#include "lib/http/client/http_url.h"

namespace onramp::acs {

std::string HttpConnectionRequester::Request(const PhoneAddress& phone,
                                             const ConnectionRequestCredentials& credentials) {
  if (phone.connection_request_url.empty()) return "no connection request URL yet";
  std::optional<http_client::HttpLocation> location = http_client::ParseHttpUrl(phone.connection_request_url);
  if (!location) return "the connection request URL is not HTTP(S)";
  // An IPv4 peer of a dual-stack listener reads "::ffff:a.b.c.d".
  std::string source = phone.source_address;
  if (source.starts_with("::ffff:") && source.find('.') != std::string::npos) source = source.substr(7);
  if (location->host != source) {
    return absl::StrCat("the connection request URL is not at the address the phone's session came from (",
                        phone.source_address, ")");
  }
  http_client::HttpRequest request{.tls = location->tls,
                                   .host = location->host,
                                   .port = location->port,
                                   .target = location->target,
                                   .timeout = absl::Seconds(5)};
  http_client::HttpClient client;
  absl::StatusOr<http_client::HttpResponse> response = client.Fetch(request);
  if (response.ok() && response->status == 401) {
    absl::StatusOr<std::string> answer = http_auth::Authorization(
        response->headers["www-authenticate"], "GET", location->target, credentials.username, credentials.password);
    if (!answer.ok()) return std::string(answer.status().message());
    request.headers["Authorization"] = *answer;
    response = client.Fetch(request);
  }
  if (!response.ok()) return std::string(response.status().message());
  if (response->status == 200 || response->status == 204) return "accepted";
  return absl::StrCat("HTTP ", response->status);
}

}  // namespace onramp::acs
