#ifndef ONRAMP_LIB_TESTING_HTTP_GET_H_
#define ONRAMP_LIB_TESTING_HTTP_GET_H_

// A plain HTTP/1.1 GET over a real socket, for tests that scrape /metrics
// or probe an endpoint.

#include <string>

#include "absl/status/statusor.h"

namespace onramp::testing {

struct HttpResponse {
  int status = 0;
  std::string body;
};

absl::StatusOr<HttpResponse> HttpGet(const std::string& host, int port, const std::string& target);

}  // namespace onramp::testing

#endif  // ONRAMP_LIB_TESTING_HTTP_GET_H_
