// The partner REST API through the gateway's HTTPS listener with curl, in
// front of the real services: keys, JSON and CSV bodies, idempotent
// creates, pages, errors, the OpenAPI document, and that no partner can
// reach another's resources.

#include <atomic>
#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "lib/testing/shell.h"
#include "lib/kit/partner_json/partner_json.h"
#include "services/gateway/wiring.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::Curl;
using ::onramp::testing::ReadFile;
using ::onramp::testing::RunShell;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using Answer = ::onramp::testing::ApiAnswer;

class PartnerApiTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    acme_ = CreateApiKey("acme");
    globex_ = CreateApiKey("globex");
  }

  std::string acme_;
  std::string globex_;
};

TEST_F(PartnerApiTest, TheOpenApiDocumentListsEveryRouteAndNoOther) {
  Answer answer = Api("GET", "/api/v1/openapi.json", "");
  ASSERT_EQ(answer.status, 200);
  google::protobuf::Struct document = Parse<google::protobuf::Struct>(answer);
  EXPECT_EQ(document.fields().at("openapi").string_value().substr(0, 2), "3.");
  std::set<std::string> documented;
  for (const auto& [path, operations] : document.fields().at("paths").struct_value().fields()) {
    for (const auto& [method, operation] : operations.struct_value().fields()) {
      documented.insert(absl::StrCat(absl::AsciiStrToUpper(method), " ", path));
    }
  }
  std::set<std::string> served;
  for (const gateway::PartnerApi::Route& route : gateway::PartnerApi::Routes()) {
    served.insert(absl::StrCat(route.api.method, " ", route.api.path));
  }
  EXPECT_EQ(documented, served);
}

TEST_F(PartnerApiTest, EveryCallNeedsAValidKeyOverHttps) {
  Answer none = Api("GET", "/api/v1/devices", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.headers, HasSubstr("WWW-Authenticate: Bearer"));
  EXPECT_THAT(none.body, HasSubstr("\"code\":\"UNAUTHENTICATED\""));
  std::string forged = acme_;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(Api("GET", "/api/v1/devices", forged).status, 401);
  // Keys never cross plain HTTP.
  Answer plain = Api("GET", "/api/v1/devices", acme_, "", "", "", base_);
  EXPECT_EQ(plain.status, 403);
  EXPECT_THAT(plain.body, HasSubstr("HTTPS only"));

  EXPECT_EQ(Api("GET", "/api/v1/devices", acme_).status, 200);
  EXPECT_EQ(Api("DELETE", "/api/v1/devices", acme_).status, 405);
  Answer unknown = Api("GET", "/api/v1/nothing", acme_);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr("\"error\""));

  // A revoked key stops working.
  std::string id = acme_.substr(4, 16);
  grpc::ClientContext context;
  device::v1::RevokeApiKeyRequest revoke;
  revoke.set_partner("acme");
  revoke.set_id(id);
  device::v1::ApiKey revoked;
  ASSERT_TRUE(api_keys_->RevokeApiKey(&context, revoke, &revoked).ok());
  EXPECT_EQ(Api("GET", "/api/v1/devices", acme_).status, 401);
}

TEST_F(PartnerApiTest, ActivationCodesAreCreatedOncePerIdempotencyKeyAndListedInPages) {
  const std::string create = R"({"count": 3, "target": {"profile_rule": "https://prov.acme.example/$MA.xml"}})";
  Answer first = Api("POST", "/api/v1/activation-codes", acme_, create, "-H 'Idempotency-Key: batch-7'");
  ASSERT_EQ(first.status, 201) << first.body;
  activation::v1::CreateCodesResponse created = Parse<activation::v1::CreateCodesResponse>(first);
  ASSERT_EQ(created.codes_size(), 3);
  Answer retried = Api("POST", "/api/v1/activation-codes", acme_, create, "-H 'Idempotency-Key: batch-7'");
  EXPECT_EQ(Parse<activation::v1::CreateCodesResponse>(retried).batch_id(), created.batch_id());

  Answer page1 = Api("GET", "/api/v1/activation-codes?page_size=2", acme_);
  ASSERT_EQ(page1.status, 200) << page1.body;
  activation::v1::ListCodesResponse listed = Parse<activation::v1::ListCodesResponse>(page1);
  EXPECT_EQ(listed.codes_size(), 2);
  ASSERT_FALSE(listed.page().next_page_token().empty());
  activation::v1::ListCodesResponse rest = Parse<activation::v1::ListCodesResponse>(
      Api("GET", "/api/v1/activation-codes?page_size=2&page_token=" + listed.page().next_page_token(), acme_));
  EXPECT_EQ(rest.codes_size(), 1);
  EXPECT_TRUE(rest.page().next_page_token().empty());

  const std::string id = created.codes(0).details().id();
  EXPECT_EQ(Api("GET", "/api/v1/activation-codes/" + id, acme_).status, 200);
  Answer revoked = Api("POST", "/api/v1/activation-codes/" + id + ":revoke", acme_);
  EXPECT_EQ(revoked.status, 200);
  EXPECT_THAT(revoked.body, HasSubstr("REVOKED"));

  // Bad input names what is wrong.
  Answer bad_json = Api("POST", "/api/v1/activation-codes", acme_, "{\"count\": ");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_THAT(bad_json.body, HasSubstr("\"field\":\"body\""));
  Answer typo = Api("POST", "/api/v1/activation-codes", acme_, R"({"cuont": 3})");
  EXPECT_EQ(typo.status, 400);
  Answer zero = Api("POST", "/api/v1/activation-codes", acme_, R"({"count": 0})");
  EXPECT_EQ(zero.status, 400);
  EXPECT_THAT(zero.body, HasSubstr("\"field\":\"count\""));
  Answer page_size = Api("GET", "/api/v1/activation-codes?page_size=lots", acme_);
  EXPECT_EQ(page_size.status, 400);
  EXPECT_THAT(page_size.body, HasSubstr("\"field\":\"page_size\""));
  EXPECT_THAT(Api("GET", "/api/v1/activation-codes?colour=red", acme_).body, HasSubstr("\"field\":\"colour\""));
}

TEST_F(PartnerApiTest, PhonesAreClaimedFromCsvOrJsonWithAResultPerRow) {
  const std::string csv =
      "serial,mac,model\r\nFCH1,000e08aabbcc,CP-8851-3PCC\r\nFCH2,00:0e:08:aa:bb:cd,CP-8851-3PCC\r\nFCH3,not-a-mac,CP-8851-3PCC\r\n";
  Answer claimed = Api("POST", "/api/v1/devices:claim?profile_rule=https%3A%2F%2Fprov.acme.example%2F%24MA.xml",
                       acme_, csv, "-H 'Idempotency-Key: scan-1'", "text/csv");
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  device::v1::ClaimDevicesResponse results = Parse<device::v1::ClaimDevicesResponse>(claimed);
  EXPECT_EQ(results.counts().claimed(), 2);
  EXPECT_EQ(results.counts().invalid(), 1);
  EXPECT_EQ(results.results(2).field(), "devices[2].mac");

  Answer broken = Api("POST", "/api/v1/devices:claim?profile_rule=x", acme_, "mac,model\n000e08aabbce\n", "", "text/csv");
  EXPECT_EQ(broken.status, 400);
  EXPECT_THAT(broken.body, HasSubstr("line 2"));
  EXPECT_EQ(Api("POST", "/api/v1/devices:claim?profile_rule=x", acme_, "mac,colour\n000e08aabbce,red\n", "", "text/csv")
                .status,
            400);

  Answer json = Api("POST", "/api/v1/devices:claim", acme_,
                    R"({"devices": [{"mac": "000e08aabbce", "model": "CP-8851-3PCC"}],
                        "target": {"profile_rule": "https://prov.acme.example/$MA.xml"}})");
  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_EQ(Parse<device::v1::ClaimDevicesResponse>(json).counts().claimed(), 1);

  device::v1::ListDevicesResponse listed =
      Parse<device::v1::ListDevicesResponse>(Api("GET", "/api/v1/devices?page_size=2", acme_));
  EXPECT_EQ(listed.devices_size(), 2);
  EXPECT_FALSE(listed.page().next_page_token().empty());
  Answer one = Api("GET", "/api/v1/devices/00:0e:08:aa:bb:cc", acme_);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(Parse<device::v1::Device>(one).serial(), "FCH1");
  EXPECT_THAT(Api("GET", "/api/v1/devices/000e08aabbcc/timeline", acme_).body, HasSubstr("claimed"));

  // Its parameters, previewed and diffed.
  Answer put = Api("PUT", "/api/v1/layers/device/000e08aabbcc", acme_,
                   R"({"parameters": [{"name": "Proxy_1_", "value": "sip.acme.example"}], "if_version": 0})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_THAT(Api("GET", "/api/v1/devices/000e08aabbcc/preview", acme_).body, HasSubstr("sip.acme.example"));
  EXPECT_THAT(Api("GET", "/api/v1/devices/000e08aabbcc/diff", acme_).body, HasSubstr("Proxy_1_"));
  // A stale write is a conflict.
  EXPECT_EQ(Api("PUT", "/api/v1/layers/device/000e08aabbcc", acme_,
                R"({"parameters": [{"name": "Proxy_1_", "value": "x"}], "if_version": 0})")
                .status,
            409);
  // HTTP authentication on the partner's profiles.
  Answer weak = Api("PUT", "/api/v1/http-auth", acme_, R"({"realm": "acme", "username": "phone", "password": "short"})");
  EXPECT_EQ(weak.status, 400);
  EXPECT_THAT(weak.body, HasSubstr("\"field\":\"password\""));
  Answer auth = Api("PUT", "/api/v1/http-auth", acme_,
                    R"({"realm": "acme", "username": "phone", "password": "correct horse"})");
  ASSERT_EQ(auth.status, 200) << auth.body;
  EXPECT_THAT(auth.body, Not(HasSubstr("correct horse")));
  EXPECT_THAT(Curl(absl::StrCat(::onramp::testing::kPhoneAgent, " ", base_, "/profile/000e08aabbcc.xml")),
              HasSubstr("HTTP/1.1 401"));
  EXPECT_EQ(Api("DELETE", "/api/v1/http-auth", acme_).status, 200);
  EXPECT_EQ(Api("DELETE", "/api/v1/http-auth", acme_).status, 404);

  EXPECT_EQ(Api("POST", "/api/v1/devices/000e08aabbcc:release", acme_).status, 200);
  EXPECT_EQ(Api("GET", "/api/v1/devices/000e08aabbcc", acme_).status, 404);
}

TEST_F(PartnerApiTest, SecretsAreWriteOnlyAndAReleasedPhonesNextOwnerStartsClean) {
  // Old phones without a factory certificate, opted into MAC-only trust by CSV.
  Answer old = Api("POST", "/api/v1/devices:claim?profile_rule=https%3A%2F%2Fa%2F%24MA&trust=DEVICE_TRUST_MAC_ONLY",
                   acme_, "mac\n000e08aabbc9\n", "", "text/csv");
  ASSERT_EQ(old.status, 200) << old.body;
  EXPECT_THAT(Api("GET", "/api/v1/devices/000e08aabbc9", acme_).body, HasSubstr("DEVICE_TRUST_MAC_ONLY"));
  EXPECT_THAT(Api("POST", "/api/v1/devices:claim?profile_rule=x&trust=SOMETIMES", acme_, "mac\n000e08aabbca\n", "",
                  "text/csv")
                  .body,
              HasSubstr("\"field\":\"trust\""));
  // A redirect parameter reaches anyone: never a secret.
  Answer leaky = Api("POST", "/api/v1/devices:claim", acme_,
                     R"({"devices": [{"mac": "000e08aabbcc"}],
                         "target": {"profile_rule": "https://a/$MA", "parameters": [{"name": "Password_1_", "value": "x"}]}})");
  EXPECT_EQ(leaky.status, 400);
  EXPECT_THAT(leaky.body, HasSubstr("\"field\":\"target.parameters[0].name\""));

  ASSERT_EQ(Api("POST", "/api/v1/devices:claim", acme_,
                R"({"devices": [{"mac": "000e08aabbcc"}], "target": {"profile_rule": "https://a/$MA"}})")
                .status,
            200);
  Answer put = Api("PUT", "/api/v1/layers/device/000e08aabbcc", acme_,
                   R"({"parameters": [{"name": "Password_1_", "value": "acme-sip-secret", "secret": true},
                                      {"name": "Proxy_1_", "value": "sip.acme.example"}]})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_THAT(put.body, Not(HasSubstr("acme-sip-secret")));
  EXPECT_THAT(put.body, HasSubstr("********"));
  EXPECT_THAT(Api("GET", "/api/v1/layers/device/000e08aabbcc", acme_).body, Not(HasSubstr("acme-sip-secret")));
  EXPECT_THAT(Api("GET", "/api/v1/layers", acme_).body, Not(HasSubstr("acme-sip-secret")));

  // acme lets the phone go; globex claims it and writes its own layer.
  ASSERT_EQ(Api("POST", "/api/v1/devices/000e08aabbcc:release", acme_).status, 200);
  ASSERT_EQ(Api("POST", "/api/v1/devices:claim", globex_,
                R"({"devices": [{"mac": "000e08aabbcc"}], "target": {"profile_rule": "https://g/$MA"}})")
                .status,
            200);
  Answer globexs = Api("PUT", "/api/v1/layers/device/000e08aabbcc", globex_,
                       R"({"parameters": [{"name": "Proxy_1_", "value": "sip.globex.example"}]})");
  EXPECT_EQ(globexs.status, 200) << globexs.body;
  Answer preview = Api("GET", "/api/v1/devices/000e08aabbcc/preview?reveal_secrets=true", globex_);
  EXPECT_THAT(preview.body, HasSubstr("sip.globex.example"));
  EXPECT_THAT(preview.body, Not(HasSubstr("acme")));
  EXPECT_EQ(Api("GET", "/api/v1/layers/device/000e08aabbcc", acme_).status, 404);
}

// device-activation as it looks to a layer write that a release overtakes:
// the partner owns the phone when the gateway checks, and no longer when
// it checks again after the write.
class ReleasedMidWrite final : public device::v1::DeviceActivationService::Service,
                               public device::v1::ApiKeyService::Service {
 public:
  grpc::Status GetDevice(grpc::ServerContext*, const device::v1::DeviceRequest* request,
                         device::v1::Device* device) override {
    if (++checks_ > 1) return grpc::Status(grpc::StatusCode::NOT_FOUND, "released");
    *device->mutable_mac() = request->mac();
    device->set_partner(request->partner());
    return grpc::Status::OK;
  }
  grpc::Status AuthenticateApiKey(grpc::ServerContext*, const device::v1::AuthenticateApiKeyRequest*,
                                  device::v1::ApiKey* key) override {
    key->set_partner("acme");
    return grpc::Status::OK;
  }

 private:
  std::atomic<int> checks_{0};
};

TEST_F(PartnerApiTest, APhoneShowsItsLastContactFirmwareReportAndNextUpgrade) {
  ClaimAndProfile();
  device::v1::Device before = Parse<device::v1::Device>(Api("GET", "/api/v1/devices/000e08aabbcc", acme_));
  EXPECT_FALSE(before.activity().has_last_contact_time());
  Answer plan_unknown = Api("GET", "/api/v1/devices/000e08aabbcc/upgrade-plan", acme_);
  EXPECT_EQ(plan_unknown.status, 400);
  EXPECT_THAT(plan_unknown.body, HasSubstr("current_version"));

  // The phone resyncs (its rule sends its whole $SWVER, as rules that
  // upgrade do; the User-Agent has only 12.0.1), then reports.
  ASSERT_THAT(Curl(absl::StrCat(::onramp::testing::kPhoneAgent, " '", base_,
                                "/profile/000e08aabbcc.xml?swver=sip88xx.11-2-3MSR1-1'")),
              HasSubstr("HTTP/1.1 200"));
  ASSERT_THAT(Curl(absl::StrCat(::onramp::testing::kPhoneAgent,
                                " --data-binary '<flat-profile><Proxy_1_>sip.acme.example</Proxy_1_></flat-profile>' ",
                                base_, "/report/000e08aabbcc.xml")),
              HasSubstr("HTTP/1.1 200"));
  device::v1::Device after = Parse<device::v1::Device>(Api("GET", "/api/v1/devices/000e08aabbcc", acme_));
  EXPECT_EQ(after.activity().firmware_version(), "sip88xx.11-2-3MSR1-1");
  EXPECT_TRUE(after.activity().has_last_contact_time());
  EXPECT_FALSE(after.activity().profile_etag().empty());
  EXPECT_EQ(after.activity().last_report().parameters(), 1);
  EXPECT_FALSE(after.activity().last_report().authenticated());  // plain HTTP: anyone could have sent it

  // With no target for the model, the phone stays where it is.
  firmware::v1::PlanUpgradeResponse plan =
      Parse<firmware::v1::PlanUpgradeResponse>(Api("GET", "/api/v1/devices/000e08aabbcc/upgrade-plan", acme_));
  EXPECT_TRUE(plan.up_to_date());
  EXPECT_FALSE(plan.reason().empty());

  profile::v1::DeviceKey rotated =
      Parse<profile::v1::DeviceKey>(Api("POST", "/api/v1/devices/000e08aabbcc:rotate-key", acme_));
  EXPECT_FALSE(rotated.key_id().empty());
}

TEST_F(PartnerApiTest, TheListOfPhonesShowsEachOnesSiteAndLastContactAndFiltersBySite) {
  ASSERT_EQ(Api("POST", "/api/v1/devices:claim?profile_rule=https%3A%2F%2Fprov.acme.example%2F%24MA.xml", acme_,
                "mac,model\n000e08aabbcc,CP-8851-3PCC\n000e08aabbcd,CP-8851-3PCC\n000e08aabbce,CP-8851-3PCC\n", "",
                "text/csv")
                .status,
            200);
  ASSERT_EQ(Api("POST", "/api/v1/devices:claim", globex_,
                R"({"devices": [{"mac": "000e08aabbcf"}], "target": {"profile_rule": "https://g/$MA"}})")
                .status,
            200);
  ASSERT_EQ(Api("POST", "/api/v1/devices:assign-sites", acme_, "mac,site\n000e08aabbcc,lisbon\n000e08aabbce,lisbon\n",
                "", "text/csv")
                .status,
            200);
  ASSERT_EQ(Api("POST", "/api/v1/devices:assign-sites", globex_, R"({"assignments": [{"mac": "000e08aabbcf",
                                                                     "site": "lisbon"}]})")
                .status,
            200);
  // One phone resyncs, saying which firmware it runs.
  ASSERT_THAT(Curl(absl::StrCat("-A 'Cisco-CP-8851-3PCC/12.0.1 (000e08aabbce)' ", base_, "/profile/000e08aabbce.xml")),
              HasSubstr("200 OK"));
  FlushDeliveries();

  auto all = Parse<device::v1::ListDevicesResponse>(Api("GET", "/api/v1/devices", acme_));
  ASSERT_EQ(all.devices_size(), 3);
  EXPECT_EQ(all.devices(0).site(), "lisbon");
  EXPECT_EQ(all.devices(1).site(), "");
  EXPECT_FALSE(all.devices(0).activity().has_last_contact_time());
  EXPECT_TRUE(all.devices(2).activity().has_last_contact_time());
  EXPECT_EQ(all.devices(2).activity().firmware_version(), "12.0.1");

  // By site, in pages: globex's phone in its own "lisbon" is not acme's.
  std::vector<std::string> in_lisbon;
  std::string token;
  do {
    auto page = Parse<device::v1::ListDevicesResponse>(
        Api("GET", absl::StrCat("/api/v1/devices?site=lisbon&page_size=1&page_token=", token), acme_));
    for (const device::v1::Device& device : page.devices()) in_lisbon.push_back(device.mac().value());
    token = page.page().next_page_token();
  } while (!token.empty());
  EXPECT_THAT(in_lisbon, ElementsAre("000e08aabbcc", "000e08aabbce"));
  auto lisbon_acquired = Parse<device::v1::ListDevicesResponse>(
      Api("GET", "/api/v1/devices?site=lisbon&mac_prefix=000e08aabbce", acme_));
  ASSERT_EQ(lisbon_acquired.devices_size(), 1);
  EXPECT_EQ(lisbon_acquired.devices(0).mac().value(), "000e08aabbce");
  Answer bad_site = Api("GET", "/api/v1/devices?site=a%20b", acme_);
  EXPECT_EQ(bad_site.status, 400);
  EXPECT_THAT(bad_site.body, HasSubstr(R"("field":"site")"));
}

TEST_F(PartnerApiTest, PhonesArePutIntoSitesInBulkAndASiteParameterIsSetInOneCall) {
  Answer claimed = Api("POST", "/api/v1/devices:claim?profile_rule=https%3A%2F%2Fprov.acme.example%2F%24MA.xml", acme_,
                       "mac,model\n000e08aabbcc,CP-8851-3PCC\n000e08aabbcd,CP-8851-3PCC\n000e08aabbce,CP-8851-3PCC\n",
                       "", "text/csv");
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  ASSERT_EQ(Api("POST", "/api/v1/devices:claim", globex_,
                R"({"devices": [{"mac": "000e08aabbcf"}], "target": {"profile_rule": "https://g/$MA"}})")
                .status,
            200);

  Answer assigned = Api("POST", "/api/v1/devices:assign-sites", acme_,
                        "mac,site\n000e08aabbcc,lisbon\n000e08aabbcd,lisbon\nnot-a-mac,lisbon\n"
                        "000e08aabbcf,lisbon\n000e08aabbc0,lisbon\n",
                        "", "text/csv");
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  profile::v1::AssignSitesResponse result = Parse<profile::v1::AssignSitesResponse>(assigned);
  EXPECT_EQ(result.counts().assigned(), 2);
  EXPECT_EQ(result.counts().invalid(), 1);
  EXPECT_EQ(result.counts().not_found(), 2);  // globex's phone, and one nobody claimed
  ASSERT_EQ(result.results_size(), 5);
  EXPECT_EQ(result.results(2).field(), "assignments[2].mac");
  EXPECT_EQ(result.results(3).outcome(), profile::v1::ASSIGN_OUTCOME_NOT_FOUND);
  EXPECT_THAT(assigned.body, HasSubstr(R"("row":0)"));  // zeros are printed
  // The same again changes nothing; JSON works as CSV does.
  profile::v1::AssignSitesResponse again = Parse<profile::v1::AssignSitesResponse>(
      Api("POST", "/api/v1/devices:assign-sites", acme_, R"({"assignments": [{"mac": "000e08aabbcc", "site": "lisbon"}]})"));
  EXPECT_EQ(again.counts().unchanged(), 1);

  // One call sets a parameter for the whole site, keeping what else it has.
  ASSERT_EQ(Api("PUT", "/api/v1/layers/site/lisbon", acme_,
                R"({"if_version": "0", "parameters": [{"name": "Station_Name", "value": "Lisbon desk"}]})")
                .status,
            200);
  Answer set = Api("POST", "/api/v1/layers/site/lisbon:set-parameters", acme_,
                   R"({"parameters": [{"name": "Time_Zone", "value": "GMT+1"}]})");
  ASSERT_EQ(set.status, 200) << set.body;
  profile::v1::Layer site = Parse<profile::v1::Layer>(set);
  EXPECT_EQ(site.parameters_size(), 2);
  EXPECT_EQ(site.version(), 2);
  EXPECT_THAT(Api("GET", "/api/v1/devices/000e08aabbcd/preview", acme_).body, HasSubstr("GMT+1"));
  EXPECT_THAT(Api("GET", "/api/v1/devices/000e08aabbce/preview", acme_).body, Not(HasSubstr("GMT+1")));
  // And a phone gets it at its next resync.
  EXPECT_THAT(Curl(absl::StrCat("-A 'Cisco-CP-8851-3PCC/12.0.1 (000e08aabbcd)' ", base_, "/profile/000e08aabbcd.xml")),
              HasSubstr("GMT+1"));
  // Or for every phone of a model: the partner's model layer, over its
  // partner layer and under its sites.
  ASSERT_EQ(Api("POST", "/api/v1/devices:claim", acme_,
                R"({"devices": [{"mac": "000e08aabbc1", "model": "CP-7841-3PCC"}],
                    "target": {"profile_rule": "https://prov.acme.example/$MA.xml"}})")
                .status,
            200);
  ASSERT_EQ(Api("POST", "/api/v1/layers/partner/-:set-parameters", acme_,
                R"json({"parameters": [{"name": "Dial_Plan_1_", "value": "(x.)"}]})json")
                .status,
            200);
  Answer model = Api("POST", "/api/v1/layers/model/CP-8851-3PCC:set-parameters", acme_,
                     R"json({"parameters": [{"name": "Dial_Plan_1_", "value": "(9xx.)"}]})json");
  ASSERT_EQ(model.status, 200) << model.body;
  EXPECT_EQ(Parse<profile::v1::Layer>(model).ref().scope(), profile::v1::SCOPE_MODEL);
  EXPECT_THAT(Api("GET", "/api/v1/devices/000e08aabbce/preview", acme_).body, HasSubstr("(9xx.)"));
  EXPECT_THAT(Api("GET", "/api/v1/devices/000e08aabbc1/preview", acme_).body, HasSubstr("(x.)"));
  // Another partner's model layer is its own, for its phones only.
  ASSERT_EQ(Api("POST", "/api/v1/layers/model/CP-8851-3PCC:set-parameters", globex_,
                R"json({"parameters": [{"name": "Dial_Plan_1_", "value": "(globex)"}]})json")
                .status,
            200);
  EXPECT_THAT(Api("GET", "/api/v1/devices/000e08aabbce/preview", acme_).body, Not(HasSubstr("globex")));

  // A phone's own layer is PUT, not edited by name here.
  EXPECT_EQ(Api("POST", "/api/v1/layers/device/000e08aabbcc:set-parameters", acme_, R"({"parameters": []})").status,
            400);
  // Taken out of its site, a phone no longer gets the site's parameters.
  Parse<profile::v1::AssignSitesResponse>(
      Api("POST", "/api/v1/devices:assign-sites", acme_, R"({"assignments": [{"mac": "000e08aabbcd", "site": ""}]})"));
  EXPECT_THAT(Api("GET", "/api/v1/devices/000e08aabbcd/preview", acme_).body, Not(HasSubstr("GMT+1")));
}

TEST_F(PartnerApiTest, ALayerWrittenAsItsPhoneIsReleasedDoesNotStand) {
  ReleasedMidWrite releasing;
  std::unique_ptr<server::Server> fake = *server::Server::Start(
      {.host = "127.0.0.1", .metrics_host = "127.0.0.1", .drain_delay = absl::ZeroDuration()},
      {static_cast<device::v1::DeviceActivationService::Service*>(&releasing),
       static_cast<device::v1::ApiKeyService::Service*>(&releasing)},
      std::make_shared<prometheus::Registry>());
  clients::DeviceActivationClient devices(absl::StrCat("127.0.0.1:", fake->grpc_port()));
  gateway::PartnerApi api(*codes_client_, devices, *profiles_client_, *firmware_client_,
                          gateway::PartnerAuthOptions{.key_cache = absl::ZeroDuration(), .partner_rate = 0});
  gateway::Request request(boost::beast::http::verb::put, "/api/v1/layers/device/000e08aabbcc", 11);
  request.set(boost::beast::http::field::authorization, "Bearer onr_any_key");
  request.set(boost::beast::http::field::content_type, "application/json");
  request.body() = R"({"parameters": [{"name": "Proxy_1_", "value": "sip.acme.example"}]})";
  gateway::Reply reply = api.Handle(request, gateway::Peer{.address = "127.0.0.1", .tls = true}, "test");
  EXPECT_EQ(reply.response.result_int(), 404) << reply.response.body();
  // What was written for the phone is gone again.
  grpc::ClientContext context;
  profile::v1::LayerRef ref;
  ref.set_partner("acme");
  ref.set_scope(profile::v1::SCOPE_DEVICE);
  ref.set_key("000e08aabbcc");
  profile::v1::Layer layer;
  EXPECT_EQ(profiles_->GetLayer(&context, ref, &layer).error_code(), grpc::StatusCode::NOT_FOUND);
  fake->Drain();
}

TEST_F(PartnerApiTest, AnotherPartnersResourcesAre404OnEveryRoute) {
  // acme's things.
  activation::v1::CreateCodesResponse codes = Parse<activation::v1::CreateCodesResponse>(
      Api("POST", "/api/v1/activation-codes", acme_, R"({"count": 1, "target": {"profile_rule": "https://a/$MA"}})"));
  ASSERT_EQ(codes.codes_size(), 1);
  ASSERT_EQ(Api("POST", "/api/v1/devices:claim", acme_,
                R"({"devices": [{"mac": "000e08aabbcc"}], "target": {"profile_rule": "https://a/$MA"}})")
                .status,
            200);
  ASSERT_EQ(Api("PUT", "/api/v1/layers/device/000e08aabbcc", acme_,
                R"({"parameters": [{"name": "Proxy_1_", "value": "sip.acme.example"}]})")
                .status,
            200);
  UploadImage("sip88xx.12-0-1MPP0001-245.loads", "the image rolled out");
  Answer rollout = Api("POST", "/api/v1/rollouts", acme_,
                       R"({"model": "CP-8851-3PCC", "target_version": "12-0-1MPP0001-245",
                           "stages": [{"percent": 100}], "failure_threshold_percent": 10})");
  ASSERT_EQ(rollout.status, 201) << rollout.body;
  const std::string rollout_id = Parse<firmware::v1::Rollout>(rollout).id();
  Answer redirect = Api("POST", "/api/v1/redirect-profiles", acme_,
                        R"({"name": "4711", "target": {"profile_rule": "https://a/$MA"}})");
  ASSERT_EQ(redirect.status, 201) << redirect.body;
  const std::string redirect_id = Parse<device::v1::RedirectProfile>(redirect).id();
  Answer webhook = Api("POST", "/api/v1/webhooks", acme_, R"({"url": "https://127.0.0.1:9/hook"})");
  ASSERT_EQ(webhook.status, 201) << webhook.body;
  const std::string webhook_id = Parse<device::v1::CreateWebhookResponse>(webhook).webhook().id();
  Answer task = Api("POST", "/api/v1/devices/000e08aabbcc/tasks", acme_, R"({"kind": "TASK_KIND_REBOOT"})");
  ASSERT_EQ(task.status, 201) << task.body;
  const std::string task_id = Parse<acs::v1::Task>(task).id();

  // Every route that names a resource, called by globex with acme's ids.
  int checked = 0;
  for (const gateway::PartnerApi::Route& route : gateway::PartnerApi::Routes()) {
    std::string path = route.api.path;
    if (path.find('{') == std::string::npos) continue;
    // The caller's own layer or plan by name: there is no other's to reach
    // (the plan's isolation is checked below).
    if (absl::StrContains(path, ":set-parameters") || absl::StrContains(path, "{model}")) continue;
    const std::string& id = absl::StrContains(path, "rollouts")             ? rollout_id
                            : absl::StrContains(path, "redirect-profiles") ? redirect_id
                            : absl::StrContains(path, "webhooks")          ? webhook_id
                            : absl::StrContains(path, "tasks")             ? task_id
                                                                           : codes.codes(0).details().id();
    path = absl::StrReplaceAll(path, {{"{id}", id}, {"{mac}", "000e08aabbcc"}, {"{scope}", "device"},
                                      {"{key}", "000e08aabbcc"}});
    std::string body = std::string(route.api.method) == "PUT"                              ? R"({"parameters": []})"
                       : std::string(route.api.id) == "createTask" ? R"({"kind": "TASK_KIND_REBOOT"})"
                                                                   : "";
    Answer answer = Api(route.api.method, path, globex_, body);
    EXPECT_EQ(answer.status, 404) << route.api.method << " " << path << ": " << answer.body;
    ++checked;
  }
  EXPECT_EQ(checked, 24);
  // Lists hold only the caller's own.
  EXPECT_EQ(Parse<firmware::v1::ListRolloutsResponse>(Api("GET", "/api/v1/rollouts", globex_)).rollouts_size(), 0);
  EXPECT_EQ(Parse<device::v1::ListWebhooksResponse>(Api("GET", "/api/v1/webhooks", globex_)).webhooks_size(), 0);
  firmware::v1::ListRolloutsResponse acme_rollouts =
      Parse<firmware::v1::ListRolloutsResponse>(Api("GET", "/api/v1/rollouts?state=ROLLOUT_STATE_RUNNING", acme_));
  ASSERT_EQ(acme_rollouts.rollouts_size(), 1);
  EXPECT_EQ(acme_rollouts.rollouts(0).id(), rollout_id);
  // The partner's plan for the model shows its rollout; another's shows none.
  firmware::v1::UpgradePlans plans =
      Parse<firmware::v1::UpgradePlans>(Api("GET", "/api/v1/firmware/upgrade-plans/CP-8851-3PCC", acme_));
  EXPECT_EQ(plans.target_version(), "12-0-1MPP0001-245");
  EXPECT_EQ(plans.rollout().id(), rollout_id);
  EXPECT_GE(plans.images_size(), 1);
  firmware::v1::UpgradePlans strangers =
      Parse<firmware::v1::UpgradePlans>(Api("GET", "/api/v1/firmware/upgrade-plans/CP-8851-3PCC", globex_));
  EXPECT_TRUE(strangers.target_version().empty());
  EXPECT_FALSE(strangers.has_rollout());
  // And nothing of acme's changed.
  EXPECT_THAT(Api("GET", "/api/v1/activation-codes/" + codes.codes(0).details().id(), acme_).body, HasSubstr("ACTIVE"));
  EXPECT_EQ(Api("GET", "/api/v1/devices/000e08aabbcc", acme_).status, 200);
  EXPECT_THAT(Api("GET", "/api/v1/layers/device/000e08aabbcc", acme_).body, HasSubstr("sip.acme.example"));
  EXPECT_THAT(Api("GET", "/api/v1/rollouts/" + rollout_id, acme_).body, Not(HasSubstr("PAUSED")));
  EXPECT_EQ(Api("GET", "/api/v1/redirect-profiles/" + redirect_id, acme_).status, 200);
}

TEST_F(PartnerApiTest, RolloutsAreCreatedOncePerIdempotencyKey) {
  const std::string create = R"({"model": "CP-8851-3PCC", "target_version": "12-0-1MPP0001-245",
                                 "stages": [{"percent": 50, "min_soak": "3600s"}, {"percent": 100, "min_soak": "3600s"}],
                                 "failure_threshold_percent": 10})";
  UploadImage("sip88xx.12-0-1MPP0001-245.loads", "the image rolled out");
  Answer first = Api("POST", "/api/v1/rollouts", acme_, create, "-H 'Idempotency-Key: r-1'");
  ASSERT_EQ(first.status, 201) << first.body;
  Answer retried = Api("POST", "/api/v1/rollouts", acme_, create, "-H 'Idempotency-Key: r-1'");
  EXPECT_EQ(retried.status, 201);
  EXPECT_EQ(Parse<firmware::v1::Rollout>(retried).id(), Parse<firmware::v1::Rollout>(first).id());
  // Without the key a second live rollout for the model is a conflict.
  EXPECT_EQ(Api("POST", "/api/v1/rollouts", acme_, create).status, 409);
  const std::string id = Parse<firmware::v1::Rollout>(first).id();
  EXPECT_THAT(Api("POST", "/api/v1/rollouts/" + id + ":pause", acme_).body, HasSubstr("PAUSED"));
  EXPECT_THAT(Api("POST", "/api/v1/rollouts/" + id + ":resume", acme_).body, HasSubstr("RUNNING"));
  EXPECT_THAT(Api("POST", "/api/v1/rollouts/" + id + ":abort", acme_).body, HasSubstr("ABORTED"));
}

TEST_F(PartnerApiTest, APartnerPastItsRateGets429WithRetryAfter) {
  gateway::PartnerApi limited(*codes_client_, *devices_client_, *profiles_client_, *firmware_client_,
                              {.key_cache = absl::ZeroDuration(), .partner_rate = 0.5, .partner_burst = 2});
  auto registry = std::make_shared<prometheus::Registry>();
  gateway::Handlers handlers = gateway::Instrumented(*routes_, *registry, nullptr, &limited);
  std::unique_ptr<gateway::HttpServer> server =
      *gateway::HttpServer::Start({.host = "127.0.0.1", .tls = tls_.get()}, handlers.dispatch, handlers.uploads);
  const std::string base = absl::StrCat("https://127.0.0.1:", server->port());
  EXPECT_EQ(Api("GET", "/api/v1/devices", acme_, "", "", "", base).status, 200);
  EXPECT_EQ(Api("GET", "/api/v1/devices", acme_, "", "", "", base).status, 200);
  Answer limited_answer = Api("GET", "/api/v1/devices", acme_, "", "", "", base);
  EXPECT_EQ(limited_answer.status, 429);
  EXPECT_THAT(limited_answer.headers, HasSubstr("Retry-After: 2"));
  EXPECT_THAT(limited_answer.body, HasSubstr("RESOURCE_EXHAUSTED"));
  // Each partner has its own budget.
  EXPECT_EQ(Api("GET", "/api/v1/devices", globex_, "", "", "", base).status, 200);
}

TEST_F(PartnerApiTest, RedirectProfilesAreListedAndDeletedOnlyWhenUnused) {
  for (const char* name : {"front-desk", "4711", "lobby"}) {
    Answer created = Api("POST", "/api/v1/redirect-profiles", acme_,
                         absl::StrCat(R"({"name": ")", name, R"(", "target": {"profile_rule": "https://a/$MA"}})"));
    ASSERT_EQ(created.status, 201) << created.body;
  }
  // A name is a natural key; a short code is unique across the fleet.
  EXPECT_EQ(Api("POST", "/api/v1/redirect-profiles", acme_, R"({"name": "lobby", "target": {"profile_rule": "x"}})")
                .status,
            409);
  EXPECT_EQ(Api("POST", "/api/v1/redirect-profiles", globex_, R"({"name": "4711", "target": {"profile_rule": "x"}})")
                .status,
            409);
  device::v1::ListRedirectProfilesResponse page =
      Parse<device::v1::ListRedirectProfilesResponse>(Api("GET", "/api/v1/redirect-profiles?page_size=2", acme_));
  ASSERT_EQ(page.profiles_size(), 2);
  EXPECT_EQ(page.profiles(0).name(), "4711");
  EXPECT_TRUE(page.profiles(0).short_code());
  device::v1::ListRedirectProfilesResponse rest = Parse<device::v1::ListRedirectProfilesResponse>(
      Api("GET", "/api/v1/redirect-profiles?page_size=2&page_token=" + page.page().next_page_token(), acme_));
  ASSERT_EQ(rest.profiles_size(), 1);
  EXPECT_EQ(rest.profiles(0).name(), "lobby");

  const std::string used = page.profiles(1).id();  // front-desk
  ASSERT_EQ(Api("POST", "/api/v1/devices:claim", acme_,
                absl::StrCat(R"({"devices": [{"mac": "000e08aabbcc"}], "redirect_profile_id": ")", used,
                             R"("})"))
                .status,
            200);
  Answer in_use = Api("DELETE", "/api/v1/redirect-profiles/" + used, acme_);
  EXPECT_EQ(in_use.status, 412);
  EXPECT_THAT(in_use.body, HasSubstr("1 phones"));
  EXPECT_EQ(Api("DELETE", "/api/v1/redirect-profiles/" + rest.profiles(0).id(), acme_).status, 200);
  EXPECT_EQ(Api("GET", "/api/v1/redirect-profiles/" + rest.profiles(0).id(), acme_).status, 404);
  EXPECT_EQ(Api("GET", "/api/v1/redirect-profiles/not-a-uuid", acme_).status, 400);
}

}  // namespace
}  // namespace onramp
