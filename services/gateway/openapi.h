#ifndef ONRAMP_SERVICES_GATEWAY_OPENAPI_H_
#define ONRAMP_SERVICES_GATEWAY_OPENAPI_H_

// The partner API's OpenAPI 3 document (openapi.json beside this file,
// embedded at build time), served at /api/v1/openapi.json.

#include <string_view>

namespace onramp::gateway {

std::string_view OpenApiDocument();

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_OPENAPI_H_
