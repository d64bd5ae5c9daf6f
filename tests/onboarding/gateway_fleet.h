#ifndef ONRAMP_TESTS_ONBOARDING_GATEWAY_FLEET_H_
#define ONRAMP_TESTS_ONBOARDING_GATEWAY_FLEET_H_

// A whole fleet on loopback for gateway tests: activation-code,
// device-activation, profile-render and firmware-catalog over real gRPC on
// real PostgreSQL, and the gateway in front of them with its HTTP, HTTPS
// and TFTP listeners. The HTTPS listener has an RSA certificate from a
// throwaway CA that also is the onboarding CA (so certificates
// device-activation issues at registration are client certificates the
// gateway accepts), and trusts a throwaway manufacturing CA
// (<dir_>/factory-ca.pem, .key) whose factory certificate for the
// fixture's phone is <dir_>/factory.pem (make_test_certs.sh).

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "lib/kit/clients/acs_client.h"
#include "lib/kit/partner_json/partner_json.h"
#include "lib/kit/clients/activation_code_client.h"
#include "lib/kit/clients/device_activation_client.h"
#include "lib/kit/clients/firmware_catalog_client.h"
#include "lib/kit/clients/profile_render_client.h"
#include "lib/kit/server/periodic.h"
#include "lib/kit/server/server.h"
#include "lib/kit/store/testing/database_test.h"
#include "onramp/activation/v1/activation.grpc.pb.h"
#include "onramp/device/v1/device.grpc.pb.h"
#include "onramp/firmware/v1/firmware.grpc.pb.h"
#include "onramp/profile/v1/profile.grpc.pb.h"
#include "prometheus/registry.h"
#include "services/acs/service.h"
#include "services/acs/store.h"
#include "services/acs/task_store.h"
#include "services/activation-code/service.h"
#include "services/device-activation/api_keys.h"
#include "services/device-activation/service.h"
#include "services/device-activation/webhook_dispatcher.h"
#include "services/device-activation/webhook_store.h"
#include "services/device-activation/webhooks.h"
#include "services/firmware-catalog/halt_notices.h"
#include "services/firmware-catalog/service.h"
#include "services/gateway/console.h"
#include "services/gateway/edge_cache.h"
#include "services/gateway/edge_deliveries.h"
#include "services/gateway/http_server.h"
#include "services/gateway/partner_api.h"
#include "services/gateway/render_watch.h"
#include "services/gateway/phone_routes.h"
#include "services/gateway/syslog_intake.h"
#include "services/gateway/tftp_server.h"
#include "services/gateway/tls_context.h"
#include "services/gateway/wiring.h"
#include "services/profile-render/service.h"

namespace onramp::testing {

// curl's output with -i: the status line, headers and body.
std::string Curl(const std::string& arguments);

// The User-Agent of the phone the fixture claims, as curl arguments.
inline constexpr char kPhoneAgent[] = "-A 'Cisco-CP-8851-3PCC/12.0.1 (000e08aabbcc)'";
inline constexpr char kPhoneMac[] = "000e08aabbcc";
inline constexpr char kPhoneModel[] = "CP-8851-3PCC";
// The ACS's --tr069_credentials_secret in the fixture.
inline constexpr char kTr069CredentialsSecret[] = "tr069-credentials-secret-of-the-test-fleet";

// A two-hop firmware plan for kPhoneModel (PlanTwoHopUpgrade).
inline constexpr char kHopStart[] = "sip88xx.11-2-3MSR1-1.loads";
inline constexpr char kHopMiddle[] = "sip88xx.11-3-1MPP-100.loads";
inline constexpr char kHopTarget[] = "sip88xx.12-5-1MPP-100.loads";

// An answer of the partner API (GatewayFleetTest::Api).
struct ApiAnswer {
  int status = 0;
  std::string headers;
  std::string body;
};

class GatewayFleetTest : public store::testing::DatabaseTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The gRPC target of the ACS the gateway's /cwmp calls. By default one
  // in-process replica; a test of replicas overrides it (e.g. processes
  // behind an "ipv4:a,b" target).
  virtual std::string StartAcs(const std::string& profile_address, const std::string& device_address);

  // Claims the phone for "acme" with a redirect to `profile_rule` and gives
  // it a device layer (Proxy_1_ = sip.acme.example, and with `with_secret`
  // a secret Password_1_; its profiles encrypted with `encryption`).
  void ClaimAndProfile(bool with_secret = false,
                       const std::string& profile_rule = "http://prov.example.com/profile/$MA.xml",
                       profile::v1::Encryption encryption = profile::v1::ENCRYPTION_UNSPECIFIED);
  // Only the claim: acme owns `mac`, its redirect names `profile_rule`.
  void ClaimPhone(const std::string& profile_rule, const std::string& mac = kPhoneMac);
  // Only the device layer (acme's parameters for the phone, replacing any
  // it had), no claim.
  void PutPhoneLayer(bool with_secret = false, profile::v1::Encryption encryption = profile::v1::ENCRYPTION_UNSPECIFIED,
                     const std::string& mac = kPhoneMac);

  // Takes profile-render's server down (the service object stays) and
  // brings it back on the same port, as a restarted pod would be.
  void StopProfileRender();
  void StartProfileRender();

  // Resyncs the gateway answered from its copies of rendered profiles so far.
  double ProfilesFromCopies();

  // Waits until profile-render has written its queued delivery records and
  // timeline events.
  void FlushDeliveries() { profile_service_->FlushDeliveries(); }

  // The customization state acme's API shows for `mac`.
  device::v1::CustomizationState CloudState(const std::string& mac);

  // Registers the claimed phone as it would at onboarding: its proven
  // redirect (which hands it its profile key, kept in phone_key_), a key
  // and CSR made with openssl, the certificate from device-activation
  // Register. Writes <dir>/phone.key and <dir>/phone.pem; returns the dir.
  std::string RegisterPhone();

  // acme requires HTTP authentication (realm "acme phones", user "phone",
  // password "correct horse") for its profiles.
  void RequireHttpAuth();

  // The kinds of the events in acme's timeline of `mac`, oldest first.
  std::vector<std::string> TimelineKinds(const std::string& mac);

  // Registers `bytes` as image `name` for the fleet's phone model.
  void UploadImage(const std::string& name, const std::string& bytes);
  // kHopStart -> kHopMiddle -> kHopTarget, acme's target: the two images
  // (random bytes of `size`, returned by name), the edges and the target.
  std::map<std::string, std::string> PlanTwoHopUpgrade(size_t size);
  // One partner API request with curl over HTTPS (`base`: another base
  // URL); `body` is sent as is with `content_type`, `extra` are more curl
  // arguments.
  ApiAnswer Api(const std::string& method, const std::string& path, const std::string& key,
                const std::string& body = "", const std::string& extra = "",
                const std::string& content_type = "application/json", const std::string& base = "");
  // A JSON answer as the message it holds (a failed test if it does not parse).
  template <typename Message>
  Message Parse(const ApiAnswer& answer) {
    Message message;
    absl::Status parsed = partner_json::Parse(answer.body, &message);
    EXPECT_TRUE(parsed.ok()) << parsed << "\n" << answer.body;
    return message;
  }
  // Phones of kPhoneModel on [from_min, from_max] may install `to` directly.
  void AddUpgradeEdge(const std::string& from_min, const std::string& from_max, const std::string& to);

  // A new API key of `partner` for the partner API (the bearer token).
  std::string CreateApiKey(const std::string& partner);

  // curl against the HTTPS listener, trusting the fleet's CA.
  std::string CurlTls(const std::string& arguments);
  // The same, presenting the fixture phone's factory certificate.
  std::string CurlAsFactoryPhone(const std::string& arguments);

  // How often the gateway reads revoked certificates here.
  static constexpr absl::Duration kRevocationPoll = absl::Milliseconds(200);

  // Writes a new RSA server certificate for the HTTPS listener (subject
  // CN `common_name`; names localhost, 127.0.0.1 and gw.onramp.test, the
  // DNS SRV test's server) over the files it was started with.
  void WriteServerCertificate(const std::string& common_name);

  std::string dir_;      // certificates and keys
  std::string phone_key_;  // the profile key (--key passphrase) RegisterPhone's redirect handed over
  std::string base_;     // http://127.0.0.1:<port>
  std::string tls_base_;  // https://127.0.0.1:<port>
  std::unique_ptr<activation::v1::ActivationCodeService::Stub> codes_;
  std::unique_ptr<device::v1::DeviceActivationService::Stub> devices_;
  std::unique_ptr<profile::v1::ProfileRenderService::Stub> profiles_;
  std::unique_ptr<firmware::v1::FirmwareCatalogService::Stub> firmware_;
  std::shared_ptr<prometheus::Registry> gateway_registry_;
  std::unique_ptr<gateway::TlsContext> tls_;
  std::unique_ptr<gateway::HttpServer> gateway_;
  std::unique_ptr<gateway::HttpServer> tls_gateway_;
  std::atomic<int> resumed_handshakes_{0};  // on tls_gateway_
  std::unique_ptr<gateway::TftpServer> tftp_;
  std::unique_ptr<gateway::RevokedCertificates> revoked_;
  // The gateway's copies of rendered profiles, as the gateway binary keeps them.
  std::unique_ptr<gateway::EdgeCache> edge_;
  std::unique_ptr<gateway::EdgeDeliveries> edge_deliveries_;
  std::unique_ptr<gateway::RenderWatch> render_watch_;
  std::unique_ptr<gateway::PhoneRoutes> routes_;
  std::unique_ptr<gateway::PartnerApi> partner_api_;
  std::unique_ptr<gateway::Console> console_;
  gateway::Handlers handlers_;  // what the listeners above call
  std::unique_ptr<device::v1::ApiKeyService::Stub> api_keys_;
  std::unique_ptr<clients::ActivationCodeClient> codes_client_;
  std::unique_ptr<clients::DeviceActivationClient> devices_client_;
  std::unique_ptr<clients::ProfileRenderClient> profiles_client_;
  std::unique_ptr<clients::FirmwareCatalogClient> firmware_client_;
  std::shared_ptr<prometheus::Registry> syslog_registry_;
  std::unique_ptr<gateway::SyslogIntake> syslog_;  // the fleet's syslog server (UDP, 127.0.0.1)
  std::unique_ptr<acs::PostgresSessionStore> acs_sessions_;
  std::unique_ptr<acs::PostgresTaskStore> acs_tasks_;
  acs::HttpConnectionRequester acs_requester_;
  std::unique_ptr<acs::AcsServiceImpl> acs_service_;
  std::unique_ptr<server::Server> acs_server_;
  std::unique_ptr<clients::AcsClient> acs_client_;

 private:
  std::unique_ptr<activation::CodeStore> code_store_;
  std::unique_ptr<activation::ActivationCodeServiceImpl> code_service_;
  std::unique_ptr<server::Server> code_server_;
  std::unique_ptr<pki::CertificateAuthority> ca_;
  std::unique_ptr<device::DeviceStore> device_store_;
  std::unique_ptr<device::DeviceActivationServiceImpl> device_service_;
  std::unique_ptr<device::PostgresApiKeyStore> api_key_store_;
  std::unique_ptr<device::ApiKeyServiceImpl> api_key_service_;
  std::unique_ptr<device::PostgresWebhookStore> webhook_store_;
  std::unique_ptr<profile_crypto::Sealer> webhook_sealer_;
  std::unique_ptr<device::WebhookServiceImpl> webhook_service_;
  std::unique_ptr<server::Server> device_server_;
  std::unique_ptr<device::WebhookDispatcher> webhook_dispatcher_;
  std::unique_ptr<server::Periodic> webhook_sender_;  // declared last of these: stops first
  std::unique_ptr<firmware::HaltNotices> halt_notices_;
  std::unique_ptr<server::Periodic> halt_notifier_;
  std::unique_ptr<profile::ProfileStore> profile_store_;
  std::unique_ptr<profile::ProfileRenderServiceImpl> profile_service_;
  std::unique_ptr<server::Server> profile_server_;
  server::ServerOptions profile_options_;
  std::shared_ptr<prometheus::Registry> profile_registry_;
  std::unique_ptr<firmware::CatalogStore> firmware_store_;
  std::unique_ptr<firmware::FirmwareCatalogServiceImpl> firmware_service_;
  std::unique_ptr<server::Server> firmware_server_;
};

}  // namespace onramp::testing

#endif  // ONRAMP_TESTS_ONBOARDING_GATEWAY_FLEET_H_
