// PhoneRoutes against mocked services: what each route asks which service,
// with which evidence, and how each answer becomes the phone's HTTP status.
// The real path (sockets, TLS, the services) is tests/onboarding.

#include "services/gateway/phone_routes.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/clients/testing/mock_clients.h"
#include "lib/kit/status/error_detail.h"
#include "lib/phone/activation_code/check_digit.h"

namespace onramp::gateway {
namespace {

namespace http = boost::beast::http;
using ::testing::_;
using ::testing::DoAll;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Return;
using ::testing::SaveArg;

constexpr char kMac[] = "000e08aabbcc";
constexpr char kAgent[] = "Cisco-CP-8851-3PCC/12.0.1 (000e08aabbcc)";

// A plain-text answer's status and body, headers by name.
struct Answer {
  int status = 0;
  std::string body;
  Response response;
  std::string Header(http::field field) const {
    auto found = response.find(field);
    return found == response.end() ? std::string() : std::string(found->value());
  }
};

Request Make(http::verb verb, std::string target, std::string body = "",
             std::vector<std::pair<http::field, std::string>> headers = {}) {
  Request request(verb, target, 11);
  for (auto& [field, value] : headers) request.set(field, value);
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

Request Get(std::string target, std::vector<std::pair<http::field, std::string>> headers = {}) {
  headers.emplace_back(http::field::user_agent, kAgent);
  return Make(http::verb::get, std::move(target), "", std::move(headers));
}

Request Post(std::string target, std::string body) {
  return Make(
      http::verb::post, std::move(target), std::move(body),
      {{http::field::user_agent, kAgent}, {http::field::content_type, "application/x-www-form-urlencoded"}});
}

Peer Plain() { return {.address = "198.51.100.7"}; }

Peer Https(ClientCertificate certificate = ClientCertificate::kNone, std::string common_name = "",
           std::string serial = "") {
  return {.address = "198.51.100.7",
          .tls = true,
          .client_certificate = certificate,
          .client_common_name = std::move(common_name),
          .client_serial = std::move(serial)};
}

// A valid 16-digit code (the last digit its Damm check digit).
std::string ValidCode() {
  std::string digits = "900193515054196";
  return digits + static_cast<char>('0' + activation_code::DammCheckDigit(digits));
}

device::v1::LookupResponse Redirected(std::string credential = "") {
  device::v1::LookupResponse response;
  response.mutable_target()->set_profile_rule("https://prov.example.com/$MA.xml");
  device::v1::Parameter* parameter = response.mutable_target()->add_parameters();
  parameter->set_name("Resync_Periodic");
  parameter->set_value("3600");
  response.set_registration_credential(std::move(credential));
  return response;
}

// An image's bytes in two pieces, then the end.
class TwoPieces : public clients::ImageReader {
 public:
  absl::StatusOr<std::string> Next() override {
    if (pieces_.empty()) return std::string();
    std::string piece = pieces_.front();
    pieces_.erase(pieces_.begin());
    return piece;
  }

 private:
  std::vector<std::string> pieces_ = {"0123", "4567"};
};

class PhoneRoutesTest : public ::testing::Test {
 protected:
  PhoneRoutesTest()
      : revoked_(
            [this](const device::v1::ListRevokedCertificatesRequest&) {
              device::v1::ListRevokedCertificatesResponse response;
              for (const std::string& serial : revoked_serials_) {
                device::v1::RevokedCertificate* revoked = response.add_certificates();
                revoked->set_serial(serial);
                revoked->mutable_expire_time()->set_seconds(
                    absl::ToUnixSeconds(absl::Now() + absl::Hours(1)));
              }
              return response;
            },
            absl::ZeroDuration()),
        routes_(codes_, devices_, profiles_, firmware_, revoked_) {}

  Answer Handle(const Request& request, const Peer& peer = Plain()) {
    Reply reply = routes_.Handle(request, peer, "request-1");
    Answer answer;
    answer.status = static_cast<int>(reply.response.result());
    answer.body = reply.response.body();
    if (reply.source) {
      for (absl::StatusOr<std::string> piece = reply.source->Next(); piece.ok() && !piece->empty();
           piece = reply.source->Next()) {
        answer.body += *piece;
      }
    }
    answer.response = std::move(reply.response);
    return answer;
  }

  std::vector<std::string> revoked_serials_;
  clients::MockActivationCodes codes_;
  clients::MockDeviceActivation devices_;
  clients::MockProfileRender profiles_;
  clients::MockFirmwareCatalog firmware_;
  RevokedCertificates revoked_;
  PhoneRoutes routes_;
};

TEST_F(PhoneRoutesTest, UnknownPathsAndHealth) {
  EXPECT_EQ(Handle(Get("/healthz")).status, 200);
  Answer unknown = Handle(Get("/no/such/thing"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "no such profile\n");
}

TEST_F(PhoneRoutesTest, EachServiceAnswerBecomesThePhonesStatus) {
  // The phone's status table (lib/http/status): 404 only for "no such
  // profile", 5xx only for faults, and a wait where the service gave one.
  struct Case {
    absl::Status status;
    int http;
    std::string retry_after;
  };
  const std::vector<Case> cases = {
      {absl::NotFoundError("no such phone"), 404, ""},
      {absl::InvalidArgumentError("device.mac: bad"), 400, ""},
      {absl::PermissionDeniedError("not yours"), 403, ""},
      {status::WithRetryAfter(absl::ResourceExhaustedError("too many"), absl::Seconds(42)), 429, "42"},
      {absl::UnavailableError("backend down"), 503, "5"},
      {status::WithRetryAfter(absl::UnavailableError("draining"), absl::Milliseconds(1500)), 503, "2"},
      {absl::DeadlineExceededError("slow"), 503, "5"},
      {absl::InternalError("the database said something private"), 500, ""},
  };
  for (const Case& c : cases) {
    EXPECT_CALL(devices_, Lookup).WillOnce(Return(c.status));
    Answer answer = Handle(Get(absl::StrCat("/device/CP-8851-3PCC/", kMac)));
    EXPECT_EQ(answer.status, c.http) << c.status;
    EXPECT_EQ(answer.Header(http::field::retry_after), c.retry_after) << c.status;
    if (c.http >= 500) {
      EXPECT_THAT(answer.body, Not(HasSubstr("private"))) << "a fault's words are for operators";
    }
  }
}

TEST_F(PhoneRoutesTest, RedirectQueryCarriesTheIdentityAndAnswersTheRule) {
  device::v1::LookupRequest asked;
  EXPECT_CALL(devices_, Lookup(_, "request-1")).WillOnce(DoAll(SaveArg<0>(&asked), Return(Redirected())));
  Answer answer = Handle(Get(absl::StrCat("/device/CP-8851-3PCC/", kMac)));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.Header(http::field::cache_control), "no-store");
  EXPECT_THAT(answer.body,
              HasSubstr("<Profile_Rule ua=\"na\">https://prov.example.com/$MA.xml</Profile_Rule>"));
  EXPECT_THAT(answer.body, HasSubstr("<Resync_Periodic ua=\"na\">3600</Resync_Periodic>"));
  EXPECT_THAT(answer.body, Not(HasSubstr("Cloud_Registration_Credential")));
  EXPECT_EQ(asked.device().mac().value(), kMac);
  EXPECT_EQ(asked.device().model(), "CP-8851-3PCC");
  EXPECT_EQ(asked.device().firmware_version(), "12.0.1");
  EXPECT_EQ(asked.source_address(), "198.51.100.7");
  EXPECT_EQ(asked.evidence().channel(), common::v1::CHANNEL_HTTP);
  EXPECT_EQ(asked.evidence().proof(), common::v1::PROOF_UNSPECIFIED);

  EXPECT_EQ(Handle(Make(http::verb::post, absl::StrCat("/device/CP-8851-3PCC/", kMac))).status, 405);
}

TEST_F(PhoneRoutesTest, EvidenceIsWhatTheCertificateProvesAboutTheNamedPhone) {
  ASSERT_TRUE(revoked_.Refresh().ok());
  struct Case {
    const char* what;
    Peer peer;
    common::v1::Proof proof;
  };
  revoked_serials_ = {"0bad"};
  ASSERT_TRUE(revoked_.Refresh().ok());
  const std::vector<Case> cases = {
      {"factory certificate of this phone", Https(ClientCertificate::kFactory, "00:0E:08:AA:BB:CC"),
       common::v1::PROOF_FACTORY_CERTIFICATE},
      {"current registration certificate", Https(ClientCertificate::kRegistration, kMac, "01"),
       common::v1::PROOF_REGISTRATION_CERTIFICATE},
      {"revoked registration certificate", Https(ClientCertificate::kRegistration, kMac, "0bad"),
       common::v1::PROOF_UNSPECIFIED},
      {"another phone's factory certificate", Https(ClientCertificate::kFactory, "000e08aabbcd"),
       common::v1::PROOF_UNSPECIFIED},
      {"HTTPS without a certificate", Https(), common::v1::PROOF_UNSPECIFIED},
  };
  for (const Case& c : cases) {
    device::v1::LookupRequest asked;
    EXPECT_CALL(devices_, Lookup).WillOnce(DoAll(SaveArg<0>(&asked), Return(Redirected("one-time"))));
    Answer answer = Handle(Get(absl::StrCat("/device/CP-8851-3PCC/", kMac)), c.peer);
    EXPECT_EQ(answer.status, 200) << c.what;
    EXPECT_EQ(asked.evidence().channel(), common::v1::CHANNEL_HTTPS) << c.what;
    EXPECT_EQ(asked.evidence().proof(), c.proof) << c.what;
    // What the answer may hold is device-activation's call; the edge only
    // passes on what it was given.
    EXPECT_THAT(answer.body, HasSubstr("Cloud_Registration_Credential")) << c.what;
  }
}

TEST_F(PhoneRoutesTest, FactoryFileNamesFindThePhoneFromItsUserAgent) {
  EXPECT_CALL(devices_, Lookup).Times(4).WillRepeatedly(Return(Redirected()));
  for (const char* file : {"/000e08aabbcc.cfg", "/CP-8851-3PCC.cfg", "/8851-3PCC.xml", "/000E08AABBCC.xml"}) {
    EXPECT_EQ(Handle(Get(file)).status, 200) << file;
  }
  // Another model's file, or no User-Agent: no backend call.
  EXPECT_EQ(Handle(Get("/CP-7841-3PCC.cfg")).status, 404);
  EXPECT_EQ(Handle(Make(http::verb::get, "/000e08aabbcc.cfg")).status, 400);
}

TEST_F(PhoneRoutesTest, ActivationCodesAreCheckedBeforeAnyBackendCall) {
  EXPECT_CALL(codes_, RedeemCode).Times(0);
  std::string code = ValidCode();
  std::string typo = code.substr(0, 15) + static_cast<char>('0' + (code[15] - '0' + 1) % 10);
  // A code that cannot be one is bad input (400, the phone's outcome C),
  // not an unknown code (404).
  EXPECT_EQ(Handle(Post("/activation", "code=" + typo)).status, 400);
  EXPECT_EQ(Handle(Post("/activation", "code=12")).status, 400);
  EXPECT_EQ(Handle(Post("/activation", "code=%2312")).status, 400);
  EXPECT_EQ(Handle(Post("/activation", "code=%zz")).status, 400);
  Answer get = Handle(Make(http::verb::get, "/activation"));
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.Header(http::field::allow), "POST");
}

TEST_F(PhoneRoutesTest, ARedeemedCodeIsAdmittedByItsPartner) {
  activation::v1::RedeemCodeRequest redeem;
  activation::v1::RedeemCodeResponse redeemed;
  redeemed.set_partner("acme");
  redeemed.set_code_names_phone(true);
  redeemed.mutable_target()->set_profile_rule("https://acme.example/$MA.xml");
  redeemed.mutable_target()->set_registration_endpoint("https://cloud.example/register");
  EXPECT_CALL(codes_, RedeemCode).WillOnce(DoAll(SaveArg<0>(&redeem), Return(redeemed)));
  device::v1::AdmitRequest admit;
  EXPECT_CALL(devices_, Admit).WillOnce(DoAll(SaveArg<0>(&admit), Return(Redirected("credential-1"))));
  Answer answer =
      Handle(Post("/activation", "code=" + ValidCode()), Https(ClientCertificate::kFactory, kMac));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(redeem.code(), ValidCode());
  EXPECT_EQ(redeem.device().mac().value(), kMac);
  EXPECT_EQ(redeem.device().model(), "CP-8851-3PCC");
  EXPECT_EQ(admit.partner(), "acme");
  EXPECT_TRUE(admit.code_names_phone());
  EXPECT_EQ(admit.profile_rule(), "https://acme.example/$MA.xml");
  EXPECT_EQ(admit.evidence().proof(), common::v1::PROOF_FACTORY_CERTIFICATE);
  EXPECT_THAT(answer.body, HasSubstr("Cloud_Registration_Endpoint"));
  EXPECT_THAT(answer.body, HasSubstr("credential-1"));
}

TEST_F(PhoneRoutesTest, EveryRefusedCodeGetsTheSameWords) {
  for (absl::Status refusal :
       {absl::NotFoundError("unknown code"), absl::FailedPreconditionError("code revoked")}) {
    EXPECT_CALL(codes_, RedeemCode).WillOnce(Return(refusal));
    Answer answer = Handle(Post("/activation", "code=" + ValidCode()));
    EXPECT_EQ(answer.status, 404);
    EXPECT_EQ(answer.body, "no such activation code\n");
  }
  EXPECT_CALL(devices_, ResolveShortCode).WillOnce(Return(absl::NotFoundError("no short code 1234")));
  EXPECT_EQ(Handle(Post("/activation", "code=%231234")).body, "no such activation code\n");
  // A limit is not a refusal: the phone is told to wait.
  EXPECT_CALL(codes_, RedeemCode)
      .WillOnce(Return(status::WithRetryAfter(absl::ResourceExhaustedError("slow down"), absl::Seconds(30))));
  Answer limited = Handle(Post("/activation", "code=" + ValidCode()));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header(http::field::retry_after), "30");
}

TEST_F(PhoneRoutesTest, FirmwareIsStreamedWithItsValidators) {
  firmware::v1::Image image;
  image.set_file_name("sip88xx.12-0-1MPP0001-245.loads");
  image.set_size(8);
  image.set_sha256("ab12");
  EXPECT_CALL(firmware_, GetImage).WillRepeatedly(Return(image));
  firmware::v1::ReadImageRequest read;
  EXPECT_CALL(firmware_, ReadImage).WillRepeatedly(DoAll(SaveArg<0>(&read), [] {
    return absl::StatusOr<std::unique_ptr<clients::ImageReader>>(std::make_unique<TwoPieces>());
  }));
  const std::string path = "/firmware/sip88xx.12-0-1MPP0001-245.loads";

  Answer whole = Handle(Get(path));
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, "01234567");
  EXPECT_EQ(whole.Header(http::field::etag), "\"ab12\"");
  EXPECT_EQ(read.offset(), 0);
  EXPECT_EQ(read.length(), 8);

  Answer part = Handle(Get(path, {{http::field::range, "bytes=2-5"}}));
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.Header(http::field::content_range), "bytes 2-5/8");
  EXPECT_EQ(read.offset(), 2);
  EXPECT_EQ(read.length(), 4);

  EXPECT_EQ(Handle(Get(path, {{http::field::if_none_match, "W/\"ab12\""}})).status, 304);
  EXPECT_EQ(Handle(Get(path, {{http::field::range, "bytes=9-"}})).status, 416);
  // If-Range names another image: the whole of this one.
  EXPECT_EQ(Handle(Get(path, {{http::field::range, "bytes=2-5"}, {http::field::if_range, "\"old\""}})).status,
            200);

  EXPECT_CALL(firmware_, GetImage).WillOnce(Return(absl::NotFoundError("no image")));
  EXPECT_EQ(Handle(Get("/firmware/none.loads")).status, 404);
}

TEST_F(PhoneRoutesTest, RegistrationOnlyOverHttps) {
  EXPECT_CALL(devices_, Register).Times(0);
  EXPECT_EQ(Handle(Post("/register", "credential=c&csr=x")).status, 403);
  EXPECT_EQ(Handle(Post("/register", "credential=c"), Https()).status, 400);

  device::v1::RegisterRequest asked;
  device::v1::RegisterResponse registered;
  registered.set_certificate_pem("PHONE\n");
  registered.set_ca_certificate_pem("CA\n");
  EXPECT_CALL(devices_, Register).WillOnce(DoAll(SaveArg<0>(&asked), Return(registered)));
  Answer answer = Handle(Post("/register", "credential=c1&csr=-----BEGIN"), Https());
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "PHONE\nCA\n");
  EXPECT_EQ(asked.mac().value(), kMac);  // from the User-Agent
  EXPECT_EQ(asked.registration_credential(), "c1");
}

TEST_F(PhoneRoutesTest, StateCarriesTheRequestsEvidence) {
  EXPECT_CALL(devices_, ReportState).Times(0);
  EXPECT_EQ(Handle(Post("/state", "state=bogus")).status, 400);

  device::v1::ReportStateRequest asked;
  EXPECT_CALL(devices_, ReportState).WillOnce(DoAll(SaveArg<0>(&asked), Return(device::v1::DeviceState())));
  EXPECT_EQ(Handle(Post("/state", "state=acquired"), Https(ClientCertificate::kFactory, kMac)).status, 200);
  EXPECT_EQ(asked.state(), device::v1::CUSTOMIZATION_STATE_ACQUIRED);
  EXPECT_EQ(asked.mac().value(), kMac);
  EXPECT_EQ(asked.evidence().proof(), common::v1::PROOF_FACTORY_CERTIFICATE);
}

TEST_F(PhoneRoutesTest, ReportsNameTheirPhone) {
  profile::v1::ReportRequest asked;
  profile::v1::ReportResponse kept;
  kept.set_parameters(4);
  kept.set_upgrade_reported(true);
  EXPECT_CALL(profiles_, Report).WillOnce(DoAll(SaveArg<0>(&asked), Return(kept)));
  Request report = Make(http::verb::post, "/report/000e08aabbdd.xml", "sealed",
                        {{http::field::content_encoding, "aes128gcm"}});
  Answer answer = Handle(report);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "ok: 4 parameters; upgrade reported\n");
  EXPECT_EQ(asked.mac().value(), "000e08aabbdd");
  EXPECT_EQ(asked.body(), "sealed");
  EXPECT_EQ(asked.content_encoding(), "aes128gcm");
  EXPECT_FALSE(asked.authenticated_channel());

  EXPECT_EQ(Handle(Make(http::verb::post, "/report", "x")).status, 400);
}

TEST_F(PhoneRoutesTest, ResyncMapsEveryRenderOutcome) {
  const std::string path = absl::StrCat("/profile/", kMac, ".xml?swver=sip88xx.11-2-3MSR1-1");
  profile::v1::RenderRequest asked;
  profile::v1::RenderResponse rendered;
  rendered.set_etag("\"e1\"");
  rendered.set_content_type("application/xml");
  rendered.set_body("<flat-profile/>");
  EXPECT_CALL(profiles_, Render).WillOnce(DoAll(SaveArg<0>(&asked), Return(rendered)));
  Answer ok = Handle(Get(path, {{http::field::if_none_match, "\"e0\""}}));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "<flat-profile/>");
  EXPECT_EQ(ok.Header(http::field::etag), "\"e1\"");
  EXPECT_EQ(asked.device().firmware_version(), "sip88xx.11-2-3MSR1-1");  // swver over the User-Agent's
  EXPECT_EQ(asked.if_none_match(), "\"e0\"");
  EXPECT_EQ(asked.source_address(), "198.51.100.7");

  profile::v1::RenderResponse same;
  same.set_not_modified(true);
  same.set_etag("\"e1\"");
  EXPECT_CALL(profiles_, Render).WillOnce(Return(same));
  Answer not_modified = Handle(Get(path));
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.body, "");

  profile::v1::RenderResponse challenge;
  challenge.add_challenges("Digest realm=\"acme\", nonce=\"n\"");
  EXPECT_CALL(profiles_, Render).WillOnce(Return(challenge));
  Answer unauthorized = Handle(Get(path));
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_EQ(unauthorized.Header(http::field::www_authenticate), "Digest realm=\"acme\", nonce=\"n\"");

  // Secrets never leave in the clear except to the phone itself.
  profile::v1::RenderResponse secret = rendered;
  secret.set_has_secrets(true);
  secret.set_encryption(profile::v1::ENCRYPTION_NONE);
  EXPECT_CALL(profiles_, Render).WillOnce(Return(secret));
  EXPECT_EQ(Handle(Get(path)).status, 403);
  EXPECT_CALL(profiles_, Render).WillOnce(DoAll(SaveArg<0>(&asked), Return(secret)));
  EXPECT_EQ(Handle(Get(path), Https(ClientCertificate::kFactory, kMac)).status, 200);
  EXPECT_TRUE(asked.authenticated_channel());
}

TEST_F(PhoneRoutesTest, ResyncRefusesAnotherPhonesCertificateAndStrangers) {
  EXPECT_CALL(profiles_, Render).Times(0);
  EXPECT_EQ(
      Handle(Get(absl::StrCat("/profile/", kMac, ".xml")), Https(ClientCertificate::kFactory, "000e08aabbcd"))
          .status,
      403);
  EXPECT_EQ(Handle(Make(http::verb::get, absl::StrCat("/profile/", kMac, ".xml"))).status, 400);
  EXPECT_EQ(Handle(Make(http::verb::get, "/profile/nobody.xml")).status, 400);
  Answer deleted = Handle(Make(http::verb::delete_, absl::StrCat("/profile/", kMac, ".xml")));
  EXPECT_EQ(deleted.status, 405);
  EXPECT_EQ(deleted.Header(http::field::allow), "GET, HEAD, POST");
}

}  // namespace
}  // namespace onramp::gateway
