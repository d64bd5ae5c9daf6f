#ifndef ONRAMP_SERVICES_GATEWAY_OPENAPI_H_
#define ONRAMP_SERVICES_GATEWAY_OPENAPI_H_

// The partner API's OpenAPI 3 document, made from the route table and the
// protobuf descriptors linked into the gateway: every body, reply, query
// and path parameter is typed as lib/kit/partner_json reads and writes it (MACs
// as strings, int64 as strings, enums by name, timestamps RFC 3339), so a
// client generated from it has the real fields.

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"

namespace onramp::gateway::openapi {

enum class Body {
  kNone,       // the input's scalar fields are query parameters
  kJson,       // the input is the JSON body
  kJsonOrCsv,  // a JSON body, or text/csv rows with `query` parameters
  kBytes,      // application/octet-stream, described by `query`
};

struct QueryParameter {
  const char* name;
  const char* description;
  bool required = false;
};

struct Operation {
  const char* method;
  const char* path;  // with {placeholders}
  const char* id;    // operationId
  const char* summary;
  const google::protobuf::Descriptor* input = nullptr;
  const google::protobuf::Descriptor* output = nullptr;
  Body body = Body::kNone;
  int success = 200;
  // Input fields the gateway fills in (from the path, the key or a header),
  // besides `partner` and `idempotency_key`, which it always fills.
  std::vector<std::string> set_by_gateway = {};
  std::vector<QueryParameter> query = {};
  bool takes_idempotency_key = false;
  const char* example = nullptr;  // a request body, JSON
};

// INTERNAL-free: every descriptor is linked in, so this cannot fail.
std::string Document(const std::vector<const Operation*>& operations);

}  // namespace onramp::gateway::openapi

#endif  // ONRAMP_SERVICES_GATEWAY_OPENAPI_H_
