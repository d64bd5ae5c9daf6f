#ifndef ONRAMP_SERVICES_GATEWAY_REST_H_
#define ONRAMP_SERVICES_GATEWAY_REST_H_

// The small REST kit the partner API is written with: protobuf messages
// in and out as JSON (lib/kit/partner_json: the protobuf JSON mapping, field
// names as in the .proto files, MACs as strings, zeros printed), errors as {"error":{"code","message","field"}} with the
// status lib/http/status gives partners, query strings into a message's
// fields, and path patterns with {placeholders}.

#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "services/gateway/http_server.h"

namespace onramp::gateway::rest {

Response Json(boost::beast::http::status status, std::string body);

// `retry_after`: the gateway's own wait, used for 429 and 503 when the
// status carries none. A server fault's words stay in the logs.
Reply Error(const absl::Status& status, absl::Duration retry_after = absl::Seconds(5));

Reply Ok(const google::protobuf::Message& message,
         boost::beast::http::status status = boost::beast::http::status::ok);

// A backend's answer as the caller's: the message as JSON, or the error.
template <typename Message>
Reply Respond(const absl::StatusOr<Message>& response,
              boost::beast::http::status success = boost::beast::http::status::ok) {
  if (!response.ok()) return Error(response.status());
  return Ok(*response, success);
}

// The body into `message`; unknown fields are errors, so typos do not pass
// silently. An empty body leaves it empty. Errors name "Content-Type" or
// "body".
absl::Status ParseJsonBody(const Request& request, google::protobuf::Message* message);

// The query string of a request target as name -> value; a bad one names
// "query".
absl::StatusOr<std::map<std::string, std::string>> QueryOf(std::string_view target);

// Query parameters into `message`'s scalar fields by name; page_size and
// page_token into its `page`. Unknown names, and "partner", are errors
// naming the parameter.
absl::Status SetFromQuery(const std::map<std::string, std::string>& query,
                          google::protobuf::Message* message);

// Whether `path` fits `pattern`, collecting {placeholders} (%-decoded); a
// pattern segment "{name}:verb" takes a path segment ending in ":verb".
bool MatchPath(std::string_view pattern, std::string_view path, std::map<std::string, std::string>* params);

// A request header's value, empty when absent.
std::string HeaderOf(const Request& request, std::string_view name);

}  // namespace onramp::gateway::rest

#endif  // ONRAMP_SERVICES_GATEWAY_REST_H_
