// Fuzzes the gateway's request handling whole: bytes as they come off a
// connection, parsed by Beast with the listener's limits, then answered by
// the partner API, the console or the phone routes in front of services that say yes
// to everything (lib/kit/clients/testing/stub_clients.h). Properties: nothing
// crashes; every answer has a status line a client can read (100-599).

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http/parser.hpp"
#include "lib/kit/clients/testing/stub_clients.h"
#include "services/gateway/console.h"
#include "services/gateway/partner_api.h"
#include "services/gateway/phone_routes.h"
#include "services/gateway/revoked_certificates.h"

namespace {

using namespace onramp;
using namespace onramp::gateway;
namespace http = boost::beast::http;

struct Gateway {
  clients::StubActivationCodes codes;
  clients::StubDeviceActivation devices;
  clients::StubProfileRender profiles;
  clients::StubFirmwareCatalog firmware;
  RevokedCertificates revoked{[](const device::v1::ListRevokedCertificatesRequest&) {
                                return device::v1::ListRevokedCertificatesResponse();
                              },
                              absl::ZeroDuration()};
  PhoneRoutes phones{codes, devices, profiles, firmware, revoked};
  PartnerApi partners{codes, devices, profiles, firmware, {.key_cache = absl::ZeroDuration(), .partner_rate = 0}};
  prometheus::Registry registry;
  Console console{devices, partners.auth(), registry};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Gateway* gateway = [] {
    auto* made = new Gateway;
    (void)made->revoked.Refresh();
    return made;
  }();
  if (size == 0) return 0;
  // The first byte says who is asking: over TLS or not, with which certificate.
  const uint8_t who = data[0];
  Peer peer{.address = "203.0.113.9",
            .tls = (who & 1) != 0,
            .client_certificate = static_cast<ClientCertificate>((who >> 1) % 3),
            .client_common_name = (who & 8) != 0 ? "000e08aabbcc" : "",
            .client_serial = "01"};
  http::request_parser<http::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code error;
  parser.put(boost::asio::buffer(data + 1, size - 1), error);
  if (error || !parser.is_done()) return 0;
  const Request& request = parser.get();
  std::string_view target(request.target().data(), request.target().size());
  Reply reply;
  if (PartnerApi::Owns(target)) {
    UploadStart upload = gateway->partners.StartUpload(request, peer, "fuzz");
    reply = upload.refusal ? std::move(*upload.refusal) : gateway->partners.Handle(request, peer, "fuzz");
  } else if (Console::Owns(target)) {
    reply = gateway->console.Handle(request, peer, "fuzz");
  } else {
    reply = gateway->phones.Handle(request, peer, "fuzz");
  }
  int status = static_cast<int>(reply.response.result_int());
  if (status < 100 || status > 599) std::abort();
  return 0;
}
