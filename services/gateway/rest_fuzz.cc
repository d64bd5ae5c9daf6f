// Fuzzes what the partner API makes of a request before any backend sees
// it: JSON bodies into each kind of message it takes, query strings into
// list requests, and paths against the route table. Properties: nothing
// crashes; a path matches at most one pattern per method.

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "onramp/activation/v1/activation.pb.h"
#include "onramp/device/v1/device.pb.h"
#include "onramp/firmware/v1/firmware.pb.h"
#include "onramp/profile/v1/profile.pb.h"
#include "services/gateway/partner_api.h"
#include "services/gateway/rest.h"

namespace {

using namespace onramp;
using namespace onramp::gateway;

Request WithBody(std::string_view body) {
  Request request(boost::beast::http::verb::post, "/api/v1/x", 11);
  request.set(boost::beast::http::field::content_type, "application/json");
  request.body() = std::string(body);
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      Request request = WithBody(input);
      device::v1::ClaimDevicesRequest claim;
      (void)rest::ParseJsonBody(request, &claim);
      profile::v1::PutLayerRequest layer;
      (void)rest::ParseJsonBody(request, &layer);
      firmware::v1::CreateRolloutRequest rollout;
      (void)rest::ParseJsonBody(request, &rollout);
      activation::v1::CreateCodesRequest codes;
      (void)rest::ParseJsonBody(request, &codes);
      break;
    }
    case 1: {
      absl::StatusOr<std::map<std::string, std::string>> query = rest::QueryOf(input);
      if (!query.ok()) break;
      device::v1::ListDevicesRequest devices;
      (void)rest::SetFromQuery(*query, &devices);
      profile::v1::ListLayersRequest layers;
      (void)rest::SetFromQuery(*query, &layers);
      break;
    }
    default: {
      std::map<std::string, int> matched;
      for (const PartnerApi::Route& route : PartnerApi::Routes()) {
        std::map<std::string, std::string> params;
        if (rest::MatchPath(route.api.path, input, &params)) ++matched[route.api.method];
      }
      // "/devices/{mac}" and "/devices:claim" never both fit one path.
      for (const auto& [method, count] : matched) {
        if (count > 1) std::abort();
      }
      break;
    }
  }
  return 0;
}
