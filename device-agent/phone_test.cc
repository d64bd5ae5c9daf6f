// The phone's provisioning state machine against a fake network, flash and
// clock: each pass's requests, state moves and outcomes, table-driven where
// the behaviour is a table. The real path (the fleet over sockets) is
// tests/e2e.

#include "device-agent/phone.h"

#include <set>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "device-agent/phone_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/digest/digest.h"
#include "lib/phone/profile_crypto/openssl_enc.h"

namespace onramp::agent {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kMac[] = "000e08aabbcc";
constexpr char kCloud[] = "https://activate.example.com";

std::string Profile(const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::string xml = "<flat-profile>\n";
  for (const auto& [name, value] : parameters) absl::StrAppend(&xml, "  <", name, ">", value, "</", name, ">\n");
  return xml + "</flat-profile>\n";
}

HttpResponse Answer(int status, std::string body = "", std::map<std::string, std::string> headers = {}) {
  return {.status = status, .headers = std::move(headers), .body = std::move(body)};
}

// Answers requests by "METHOD URL" from a script of responses (each used
// once, in order; the last one repeats; unscripted: 404), and records
// every request.
class FakeNetwork : public Network {
 public:
  void On(const std::string& method, const std::string& url, absl::StatusOr<HttpResponse> response) {
    script_[absl::StrCat(method, " ", url)].answers.push_back(std::move(response));
  }

  absl::StatusOr<HttpResponse> Fetch(const HttpRequest& request) override {
    std::string key = absl::StrCat(request.method, " ", request.tls ? "https://" : "http://", request.host, ":",
                                   request.port, request.target);
    requests.push_back(request);
    asked.push_back(key);
    auto found = script_.find(key);
    if (found == script_.end()) return Answer(404, "no such profile\n");
    Script& script = found->second;
    return script.answers[std::min(script.used++, script.answers.size() - 1)];
  }
  absl::Status Probe(const std::string& host, int port) override {
    return reachable.contains(absl::StrCat(host, ":", port)) ? absl::OkStatus() : absl::UnavailableError("refused");
  }
  absl::StatusOr<std::vector<SrvRecord>> LookupSrv(const std::string& name, const std::string& resolver) override {
    resolvers.push_back(resolver);
    auto found = srv.find(name);
    if (found == srv.end()) return absl::NotFoundError("no SRV records");
    return found->second;
  }
  absl::StatusOr<std::string> LookupAddress(const std::string& name, const std::string& resolver) override {
    resolvers.push_back(resolver);
    auto found = addresses.find(name);
    if (found == addresses.end()) return absl::NotFoundError("no address");
    return found->second;
  }
  absl::Status SendDatagram(const std::string& host, int port, std::string_view bytes) override {
    datagrams.push_back(absl::StrCat(host, ":", port, " ", std::string(bytes)));
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> TftpGet(const TftpRead& read) override {
    auto found = tftp_files.find(absl::StrCat(read.host, ":", read.port, "/", read.file));
    if (found == tftp_files.end()) return absl::NotFoundError("file not found");
    return found->second;
  }

  std::vector<std::string> asked;
  std::vector<std::string> datagrams;  // "host:port bytes"
  std::vector<HttpRequest> requests;
  std::vector<std::string> resolvers;  // the DNS server of each lookup
  std::map<std::string, std::vector<SrvRecord>> srv;
  std::map<std::string, std::string> addresses;
  std::set<std::string> reachable;
  std::map<std::string, std::string> tftp_files;

 private:
  struct Script {
    std::vector<absl::StatusOr<HttpResponse>> answers;
    size_t used = 0;
  };
  std::map<std::string, Script> script_;
};

class FakeFlash : public Flash {
 public:
  absl::Status SaveState(const v1::PhoneState& state) override {
    ++saves;
    saved = state;
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> Read(const std::string& name) const override {
    auto found = files.find(name);
    if (found == files.end()) return absl::NotFoundError(name);
    return found->second;
  }
  absl::Status Write(const std::string& name, std::string_view bytes, bool secret) override {
    files[name] = std::string(bytes);
    if (secret) secrets.insert(name);
    return absl::OkStatus();
  }
  absl::Status Append(const std::string& name, std::string_view bytes) override {
    files[name].append(bytes);
    return absl::OkStatus();
  }
  uint64_t Size(const std::string& name) const override {
    auto found = files.find(name);
    return found == files.end() ? 0 : found->second.size();
  }
  void Remove(const std::string& name) override { files.erase(name); }

  int saves = 0;
  v1::PhoneState saved;
  std::map<std::string, std::string> files;
  std::set<std::string> secrets;
};

class FakeClock : public Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1800000000);
};

v1::PhoneState OutOfTheBox() {
  v1::PhoneState state;
  state.set_mac(kMac);
  state.set_model("CP-8851-3PCC");
  state.set_serial("FCH2233ABCD");
  state.set_firmware("sip88xx.11-2-3MSR1-1.loads");
  state.set_customization_state("open");
  return state;
}

class PhoneTest : public ::testing::Test {
 protected:
  // A phone with flash (the fake's, inspected through flash_), the given
  // options and state.
  Phone Make(v1::PhoneState state = OutOfTheBox(), PhoneOptions options = {}) {
    if (options.activation_url.empty()) options.activation_url = kCloud;
    options.on_step = [this](const std::string& step) { steps_.push_back(step); };
    auto flash = std::make_unique<FakeFlash>();
    flash_ = flash.get();
    return Phone(std::move(options), std::move(state), std::move(flash), &clock_);
  }

  std::string Param(const Phone& phone, const std::string& name) {
    auto found = phone.state().parameters().find(name);
    return found == phone.state().parameters().end() ? "" : found->second.value();
  }

  FakeNetwork network_;
  FakeFlash* flash_ = nullptr;
  FakeClock clock_;
  std::vector<std::string> steps_;
};

const std::string kRedirect = absl::StrCat("GET https://activate.example.com:443/device/CP-8851-3PCC/", kMac);
const std::string kProfileUrl = absl::StrCat("http://prov.example.com:80/", kMac, ".xml");

TEST_F(PhoneTest, OutOfTheBoxItAsksWhoOwnsItThenFetchesItsProfile) {
  network_.On("GET", absl::StrCat("https://activate.example.com:443/device/CP-8851-3PCC/", kMac),
              Answer(200, Profile({{"Profile_Rule", "http://prov.example.com/$MA.xml"}})));
  network_.On("GET", kProfileUrl,
              Answer(200, Profile({{"Display_Name_1_", "Front desk"}}), {{"etag", "\"e1\""}}));
  Phone phone = Make();
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_THAT(network_.asked, ElementsAre(kRedirect, absl::StrCat("GET ", kProfileUrl)));
  EXPECT_EQ(phone.state().customization_state(), "acquired");
  EXPECT_EQ(phone.state().last_outcome(), "A");
  EXPECT_EQ(phone.state().last_etag(), "\"e1\"");
  EXPECT_EQ(Param(phone, "Display_Name_1_"), "Front desk");
  EXPECT_EQ(phone.state().resyncs(), 1);
  EXPECT_EQ(phone.state().last_resync_time().seconds(), 1800000000);
  EXPECT_EQ(flash_->saved.customization_state(), "acquired");  // saved after the pass
  // Every request says who it is.
  EXPECT_EQ(network_.requests[0].headers.at("User-Agent"), "Cisco-CP-8851-3PCC/11.2.3 (000e08aabbcc)(FCH2233ABCD)");

  // The next pass sends the ETag and does not ask the cloud again.
  network_.On("GET", kProfileUrl, Answer(304));
  network_.asked.clear();
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_THAT(network_.asked, ElementsAre(absl::StrCat("GET ", kProfileUrl)));
  EXPECT_EQ(network_.requests.back().headers.at("If-None-Match"), "\"e1\"");
  EXPECT_EQ(phone.state().last_detail(), "not modified");
}

TEST_F(PhoneTest, TheRedirectQuerysAnswerDecidesTheState) {
  struct Case {
    absl::StatusOr<HttpResponse> answer;
    std::string state;
  };
  const std::vector<Case> cases = {
      {Answer(200, Profile({{"Profile_Rule", "http://prov.example.com/$MA.xml"}})), "custom_pending"},
      {Answer(404), "unavailable"},
      {Answer(503), "pending"},                           // asked again next pass
      {absl::UnavailableError("no route to host"), "pending"},
      {Answer(200, "<not a profile"), "pending"},
  };
  for (const Case& c : cases) {
    network_ = FakeNetwork();
    network_.On("GET", absl::StrCat("https://activate.example.com:443/device/CP-8851-3PCC/", kMac), c.answer);
    network_.On("GET", kProfileUrl, Answer(503));  // keeps a custom_pending phone where it is
    Phone phone = Make();
    ASSERT_TRUE(phone.Provision(network_).ok());
    EXPECT_EQ(phone.state().customization_state(), c.state)
        << (c.answer.ok() ? absl::StrCat(c.answer->status) : c.answer.status().ToString());
  }
}

TEST_F(PhoneTest, EachFetchOutcomeFollowsTheStatusTable) {
  struct Case {
    absl::StatusOr<HttpResponse> answer;
    std::string outcome;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {Answer(200, Profile({{"A", "1"}})), "A", "bytes applied"},
      {Answer(304), "A", "not modified"},
      {Answer(404), "B", "HTTP 404"},
      {Answer(403), "C", "HTTP 403"},
      {Answer(500), "C", "HTTP 500"},
      {Answer(200, "<flat-profile><A>1</flat-profile>"), "B", "profile not applied"},  // corrupt
      {absl::UnavailableError("connection refused"), "C", "connection refused"},
  };
  for (const Case& c : cases) {
    network_ = FakeNetwork();
    network_.On("GET", kProfileUrl, c.answer);
    v1::PhoneState state = OutOfTheBox();
    state.set_customization_state("aborted");
    (*state.mutable_parameters())["Profile_Rule"].set_value("http://prov.example.com/$MA.xml");
    state.set_consecutive_failures(2);
    Phone phone = Make(state);
    ASSERT_TRUE(phone.Provision(network_).ok());
    EXPECT_EQ(phone.state().last_outcome(), c.outcome) << c.detail;
    EXPECT_THAT(phone.state().last_detail(), HasSubstr(c.detail));
    EXPECT_EQ(phone.state().consecutive_failures(), c.outcome == "A" ? 0 : 3) << c.detail;
  }
}

TEST_F(PhoneTest, DhcpProvisioningAbortsRemoteCustomization) {
  network_.On("GET", "http://10.0.0.9:80/cp.xml", Answer(200, Profile({{"A", "1"}})));
  Phone phone = Make(OutOfTheBox(), {.dhcp_options = {{160, "http://10.0.0.9/cp.xml"}, {43, "http://acs.lan/"}}});
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_THAT(network_.asked, ElementsAre("GET http://10.0.0.9:80/cp.xml"));  // never the cloud
  EXPECT_EQ(phone.state().customization_state(), "aborted");
  EXPECT_EQ(Param(phone, "ACS_URL"), "http://acs.lan/");
}

TEST_F(PhoneTest, DnsSrvTakesTheFirstReachableServerInsideTheDomain) {
  network_.srv["_ciscoprov-https._tls.corp.example"] = {
      {.priority = 1, .weight = 0, .port = 443, .target = "evil.example.net."},    // outside the domain
      {.priority = 2, .weight = 0, .port = 8443, .target = "down.corp.example."},  // unreachable
      {.priority = 3, .weight = 0, .port = 9443, .target = "prov.corp.example."},
  };
  network_.addresses = {{"down.corp.example", "10.0.0.2"}, {"prov.corp.example", "10.0.0.3"}};
  network_.reachable = {"10.0.0.3:9443"};
  Phone phone = Make(OutOfTheBox(), {.dhcp_options = {{15, "corp.example"}}});
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_EQ(Param(phone, "Profile_Rule"), "https://prov.corp.example:9443/$PSN.xml");
  EXPECT_EQ(phone.state().customization_state(), "aborted");
  EXPECT_EQ(network_.asked.front(), "GET https://prov.corp.example:9443/8851-3PCC.xml");
}

TEST_F(PhoneTest, ASrvRuleFetchesFromTheServerItsRecordsName) {
  network_.srv["_ciscoprov-https._tls.corp.example"] = {
      {.priority = 1, .weight = 0, .port = 8443, .target = "down.corp.example."},
      {.priority = 2, .weight = 0, .port = 9443, .target = "prov.corp.example."},
  };
  network_.addresses = {{"down.corp.example", "10.0.0.2"}, {"prov.corp.example", "10.0.0.3"}};
  network_.reachable = {"10.0.0.3:9443"};
  network_.On("GET", "https://prov.corp.example:9443/cfg/000e08aabbcc.xml", Answer(200, Profile({{"A", "1"}})));
  v1::PhoneState state = OutOfTheBox();
  state.set_customization_state("aborted");
  (*state.mutable_parameters())["Profile_Rule"].set_value("[--srv] https://corp.example/cfg/$MA.xml");
  // The DNS server is the lease's (option 6, its first address).
  Phone phone = Make(state, {.dhcp_options = {{6, "10.0.0.53, 10.0.0.54"}}});
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(Param(phone, "A"), "1");
  EXPECT_THAT(network_.resolvers, Each(Eq("10.0.0.53:53")));

  // No record answers: the rule fails (C), nothing is asked of the domain's own address.
  network_ = FakeNetwork();
  Phone stranded = Make(state, {.dns_resolver = "127.0.0.1:5353"});
  ASSERT_TRUE(stranded.Provision(network_).ok());
  EXPECT_EQ(stranded.state().last_outcome(), "C");
  EXPECT_THAT(stranded.state().last_detail(), HasSubstr("DNS SRV _ciscoprov-https._tls.corp.example"));
  EXPECT_TRUE(network_.asked.empty());
  EXPECT_THAT(network_.resolvers, Each(Eq("127.0.0.1:5353")));
}

TEST_F(PhoneTest, AnActivationCodeAtTheActivationScreen) {
  network_.On("GET", absl::StrCat("https://activate.example.com:443/device/CP-8851-3PCC/", kMac), Answer(404));
  network_.On("POST", "https://activate.example.com:443/activation",
              Answer(200, Profile({{"Profile_Rule", "http://prov.example.com/$MA.xml"}})));
  network_.On("GET", kProfileUrl, Answer(200, Profile({{"A", "1"}})));
  int asked = 0;
  Phone phone = Make(OutOfTheBox(), {.ask_activation_code = [&asked] {
                                       ++asked;
                                       return std::string("9001935150541969");
                                     }});
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_EQ(asked, 1);
  const HttpRequest& code = network_.requests[1];
  EXPECT_EQ(code.headers.at("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_THAT(code.body, HasSubstr("code=9001935150541969"));
  EXPECT_THAT(code.body, HasSubstr("mac=000e08aabbcc"));
  EXPECT_EQ(Param(phone, "Profile_Rule"), "http://prov.example.com/$MA.xml");
  EXPECT_EQ(phone.state().last_outcome(), "A");

  // A refused code is what the screen says; the phone stays there.
  network_ = FakeNetwork();
  network_.On("POST", "https://activate.example.com:443/activation", Answer(404, "no such activation code\n"));
  v1::PhoneState waiting = OutOfTheBox();
  (*waiting.mutable_parameters())["Profile_Rule"].set_value("gds://");
  Phone refused = Make(waiting, {.activation_code = "9001935150541969"});
  ASSERT_TRUE(refused.Provision(network_).ok());
  EXPECT_EQ(refused.state().last_outcome(), "C");  // gds:// has no profile to fetch
  EXPECT_THAT(steps_, testing::Contains(HasSubstr("Invalid activation code (HTTP 404 no such activation code)")));
}

TEST_F(PhoneTest, RedirectsAndChallengesAreFollowed) {
  v1::PhoneState state = OutOfTheBox();
  state.set_customization_state("aborted");
  (*state.mutable_parameters())["Profile_Rule"].set_value("[--uid ann --pwd secret] http://prov.example.com/$MA.xml");
  network_.On("GET", kProfileUrl, Answer(302, "", {{"location", "/v2/p.xml"}}));
  network_.On("GET", "http://prov.example.com:80/v2/p.xml",
              Answer(401, "", {{"www-authenticate", "Basic realm=\"acme\""}}));
  network_.On("GET", "http://prov.example.com:80/v2/p.xml", Answer(200, Profile({{"A", "1"}})));
  Phone phone = Make(state);
  ASSERT_TRUE(phone.Provision(network_).ok());
  ASSERT_EQ(network_.requests.size(), 3u);
  EXPECT_EQ(network_.requests[2].headers.at("Authorization"), "Basic YW5uOnNlY3JldA==");
  EXPECT_EQ(phone.state().last_outcome(), "A");
}

TEST_F(PhoneTest, ProfilesEncryptedWithTheRulesKeyAreOpened) {
  v1::PhoneState state = OutOfTheBox();
  state.set_customization_state("aborted");
  (*state.mutable_parameters())["Profile_Rule"].set_value("[--key k3y] http://prov.example.com/$MA.xml");
  network_.On("GET", kProfileUrl, Answer(200, profile_crypto::EncryptOpensslEnc(Profile({{"Secret", "s"}}), "k3y")));
  Phone phone = Make(state);
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_EQ(Param(phone, "Secret"), "s");

  (*state.mutable_parameters())["Profile_Rule"].set_value("[--key wrong] http://prov.example.com/$MA.xml");
  Phone wrong = Make(state);
  ASSERT_TRUE(wrong.Provision(network_).ok());
  EXPECT_EQ(wrong.state().last_outcome(), "B");  // a profile it cannot open is a corrupt one
  EXPECT_EQ(Param(wrong, "Secret"), "");
}

TEST_F(PhoneTest, RegisteringKeepsTheCertificateInFlashAndPresentsIt) {
  v1::PhoneState state = OutOfTheBox();
  state.set_customization_state("custom_pending");
  (*state.mutable_parameters())["Profile_Rule"].set_value("https://prov.example.com/$MA.xml");
  (*state.mutable_parameters())["Cloud_Registration_Credential"].set_value("one-time");
  network_.On("POST", "https://activate.example.com:443/register", Answer(200, "PHONE CERT\nCA CERT\n"));
  network_.On("GET", absl::StrCat("https://prov.example.com:443/", kMac, ".xml"), Answer(200, Profile({{"A", "1"}})));
  Phone phone = Make(state);
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_THAT(network_.requests[0].body, HasSubstr("credential=one-time"));
  EXPECT_THAT(network_.requests[0].body, HasSubstr("csr=-----BEGIN"));
  EXPECT_TRUE(phone.state().registered());
  EXPECT_EQ(Param(phone, "Cloud_Registration_Credential"), "");  // used up
  EXPECT_EQ(flash_->files[kCertificateFile], "PHONE CERT\nCA CERT\n");
  EXPECT_THAT(flash_->files[kKeyFile], HasSubstr("PRIVATE KEY"));
  EXPECT_TRUE(flash_->secrets.contains(kKeyFile));
  // Its profile came over TLS with its certificate: the cloud saw it.
  EXPECT_EQ(network_.requests[1].client_cert_pem, "PHONE CERT\nCA CERT\n");
  EXPECT_EQ(phone.state().customization_state(), "acquired");
  EXPECT_EQ(phone.state().reported_state(), "acquired");
  EXPECT_EQ(network_.requests.size(), 2u);  // so no POST /state
}

TEST_F(PhoneTest, APhoneAcquiredOverPlainHttpTellsTheCloudOnce) {
  v1::PhoneState state = OutOfTheBox();
  state.set_customization_state("custom_pending");
  state.set_factory_cert_pem("FACTORY CERT");
  state.set_factory_key_pem("FACTORY KEY");
  (*state.mutable_parameters())["Profile_Rule"].set_value("http://prov.example.com/$MA.xml");
  network_.On("GET", kProfileUrl, Answer(200, Profile({{"A", "1"}})));
  network_.On("POST", "https://activate.example.com:443/state", Answer(200, "ok\n"));
  Phone phone = Make(state);
  ASSERT_TRUE(phone.Provision(network_).ok());
  ASSERT_EQ(network_.asked.back(), "POST https://activate.example.com:443/state");
  EXPECT_EQ(network_.requests.back().client_cert_pem, "FACTORY CERT");
  EXPECT_THAT(network_.requests.back().body, HasSubstr("state=acquired"));
  network_.asked.clear();
  network_.On("GET", kProfileUrl, Answer(304));
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_THAT(network_.asked, ElementsAre(absl::StrCat("GET ", kProfileUrl)));
}

class UpgradeTest : public PhoneTest {
 protected:
  static constexpr char kImageUrl[] = "http://fw.example.com:80/firmware/sip88xx.12-0-1MPP0001-245.loads";

  v1::PhoneState Due() {
    v1::PhoneState state = OutOfTheBox();
    state.set_customization_state("acquired");
    (*state.mutable_parameters())["Upgrade_Rule"].set_value(
        "http://fw.example.com/firmware/sip88xx.12-0-1MPP0001-245.loads");
    (*state.mutable_parameters())["Report_Rule"].set_value("http://prov.example.com/report/$MA.xml");
    return state;
  }
  const std::string image_ = std::string(1000, 'i');
  const std::string etag_ = absl::StrCat("\"", digest::Sha256Hex(std::string(1000, 'i')), "\"");
};

TEST_F(UpgradeTest, AnImageThatMatchesItsEtagIsInstalledAndReported) {
  network_.On("GET", kImageUrl, Answer(200, image_, {{"etag", etag_}}));
  network_.On("POST", "http://prov.example.com:80/report/000e08aabbcc.xml", Answer(200));
  Phone phone = Make(Due());
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_EQ(phone.state().firmware(), "sip88xx.12-0-1MPP0001-245.loads");
  EXPECT_EQ(phone.state().last_upgrade(), "success");
  EXPECT_FALSE(phone.state().upgrade_pending());
  EXPECT_THAT(flash_->files, IsEmpty());  // the download is gone once installed
  const HttpRequest& report = network_.requests.back();
  EXPECT_THAT(report.body, HasSubstr("<Upgrade_Status>success</Upgrade_Status>"));
  EXPECT_THAT(report.body, HasSubstr("<Upgrade_From>sip88xx.11-2-3MSR1-1.loads</Upgrade_From>"));
}

TEST_F(UpgradeTest, FailuresStayPendingAndAreReported) {
  struct Case {
    std::string what;
    absl::StatusOr<HttpResponse> answer;
    std::string limit;
    std::string why;
  };
  const std::vector<Case> cases = {
      {"bytes that do not match", Answer(200, std::string(1000, 'x'), {{"etag", etag_}}), "", "checksum mismatch"},
      {"no image", Answer(404), "", "HTTP 404"},
      {"no server", absl::UnavailableError("refused"), "", "refused"},
      {"below the floor", Answer(200, image_, {{"etag", etag_}}), "sip88xx.12-5-1MPP0001-1", "Downgrade_Rev_Limit"},
  };
  for (const Case& c : cases) {
    network_ = FakeNetwork();
    network_.On("GET", kImageUrl, c.answer);
    v1::PhoneState state = Due();
    if (!c.limit.empty()) (*state.mutable_parameters())["Downgrade_Rev_Limit"].set_value(c.limit);
    Phone phone = Make(state);
    ASSERT_TRUE(phone.Provision(network_).ok());
    EXPECT_EQ(phone.state().firmware(), "sip88xx.11-2-3MSR1-1.loads") << c.what;
    EXPECT_TRUE(phone.state().upgrade_pending()) << c.what;
    EXPECT_THAT(phone.state().last_upgrade(), HasSubstr(c.why)) << c.what;
    EXPECT_THAT(network_.requests.back().body, HasSubstr("<Upgrade_Status>failed</Upgrade_Status>")) << c.what;
  }
}

TEST_F(UpgradeTest, ABrokenDownloadResumesWhereItStopped) {
  v1::PhoneState state = Due();
  state.set_download_url(kImageUrl);
  state.set_download_etag(etag_);
  network_.On("GET", kImageUrl, Answer(206, image_.substr(400), {{"etag", etag_}}));
  network_.On("POST", "http://prov.example.com:80/report/000e08aabbcc.xml", Answer(200));
  Phone phone = Make(state);
  flash_->files[kDownloadFile] = image_.substr(0, 400);
  ASSERT_TRUE(phone.Provision(network_).ok());
  const HttpRequest& download = network_.requests[0];
  EXPECT_EQ(download.headers.at("Range"), "bytes=400-");
  EXPECT_EQ(download.headers.at("If-Range"), etag_);
  EXPECT_EQ(phone.state().firmware(), "sip88xx.12-0-1MPP0001-245.loads");
}

TEST_F(PhoneTest, NothingHappensDuringACall) {
  v1::PhoneState state = OutOfTheBox();
  state.set_in_call(true);
  Phone phone = Make(state);
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_THAT(network_.asked, IsEmpty());
  EXPECT_EQ(phone.state().resyncs(), 0);
}

TEST_F(PhoneTest, APhoneHeldInMemoryKeepsItsRegistrationInItsState) {
  v1::PhoneState state = OutOfTheBox();
  state.set_customization_state("custom_pending");
  (*state.mutable_parameters())["Cloud_Registration_Credential"].set_value("one-time");
  network_.On("POST", "https://activate.example.com:443/register", Answer(200, "PHONE CERT\n"));
  Phone phone = Phone::InMemory({.activation_url = kCloud}, state);
  ASSERT_TRUE(phone.Provision(network_).ok());
  EXPECT_TRUE(phone.state().registered());
  EXPECT_EQ(phone.state().device_cert_pem(), "PHONE CERT\n");
  EXPECT_THAT(phone.state().device_key_pem(), HasSubstr("PRIVATE KEY"));
}

}  // namespace
}  // namespace onramp::agent

namespace onramp::agent {
namespace {

TEST_F(PhoneTest, APhoneWhoseProfileNamesASyslogServerSendsItWhatItDoes) {
  network_.On("GET", absl::StrCat("https://activate.example.com:443/device/CP-8851-3PCC/", kMac),
              Answer(200, Profile({{"Profile_Rule", "http://prov.example.com/$MA.xml"}})));
  network_.On("GET", kProfileUrl, Answer(200, Profile({{"Syslog_Server", "10.0.0.5:5514"}})));
  Phone phone = Make();
  ASSERT_TRUE(phone.Provision(network_).ok());
  // Nothing before the profile named the server; from then on, each step.
  ASSERT_FALSE(network_.datagrams.empty());
  for (const std::string& datagram : network_.datagrams) {
    EXPECT_TRUE(datagram.starts_with("10.0.0.5:5514 <134>")) << datagram;  // local0.info, RFC 3164
    EXPECT_THAT(datagram, HasSubstr(absl::StrCat("phone: CP-8851-3PCC ", kMac, " -- ")));
  }
  EXPECT_THAT(network_.datagrams.back(), HasSubstr("customization state"));

  // A bare host gets the syslog port; an IPv6 address in brackets its own.
  // (A new server takes the lines from the pass after the one that set it.)
  for (auto [server, to] : std::vector<std::pair<std::string, std::string>>{
           {"logs.example.com", "logs.example.com:514 "}, {"[2001:db8::5]:6514", "2001:db8::5:6514 "}}) {
    network_.On("GET", kProfileUrl, Answer(200, Profile({{"Syslog_Server", server}})));
    ASSERT_TRUE(phone.Provision(network_).ok());
    network_.On("GET", kProfileUrl, Answer(304));
    network_.datagrams.clear();
    ASSERT_TRUE(phone.Provision(network_).ok());
    ASSERT_FALSE(network_.datagrams.empty()) << server;
    EXPECT_TRUE(network_.datagrams.back().starts_with(to)) << network_.datagrams.back();
  }
}

}  // namespace
}  // namespace onramp::agent
