// ActivationCodeService over real gRPC (a socket on 127.0.0.1) against the
// real PostgreSQL that tools/test starts.

#include "services/activation-code/service.h"

#include <atomic>
#include <thread>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "lib/kit/server/server.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/grpc_status.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/testing/database_test.h"
#include "lib/kit/store/transaction.h"
#include "onramp/activation/v1/activation.grpc.pb.h"
#include "onramp/common/v1/common.pb.h"
#include "pqxx/pqxx"
#include "services/activation-code/migrations.h"

namespace onramp::activation {
namespace {

using ::testing::HasSubstr;

constexpr char kRule[] = "https://prov.example.com/profiles/$MA.xml";

class ActivationServiceTest : public store::testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store::Migrate(pool(), "activation", Migrations()).ok());
    store_ = std::make_unique<PostgresCodeStore>(pool());
    registry_ = std::make_shared<prometheus::Registry>();
    ServiceOptions options;
    options.limits = {.per_source = 5, .per_mac = 5, .per_code = 5};
    service_ = std::make_unique<ActivationCodeServiceImpl>(
        *store_, *CodeHasher::Create(std::string(32, 'k')),
        *BatchSealer::Create(std::string(32, 'k')), options, *registry_);
    auto server = server::Server::Start(
        {.host = "127.0.0.1", .metrics_host = "127.0.0.1", .drain_delay = absl::ZeroDuration(),
         .shutdown_timeout = absl::Seconds(5)},
        {service_.get()}, registry_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::ActivationCodeService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->grpc_port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Drain();
  }

  v1::CreateCodesRequest CreateRequest(const std::string& partner, int count,
                                       const std::string& key) {
    v1::CreateCodesRequest request;
    request.set_partner(partner);
    request.set_count(count);
    request.set_idempotency_key(key);
    request.mutable_target()->set_profile_rule(kRule);
    request.mutable_target()->set_registration_endpoint("https://cloud.example.com/register");
    request.mutable_target()->set_account_ref("workspace-42");
    return request;
  }

  grpc::Status Create(const v1::CreateCodesRequest& request, v1::CreateCodesResponse* response) {
    grpc::ClientContext context;
    return stub_->CreateCodes(&context, request, response);
  }

  std::vector<std::string> CreateCodes(const std::string& partner, int count) {
    v1::CreateCodesResponse response;
    grpc::Status status = Create(CreateRequest(partner, count, "key-" + std::to_string(++keys_)), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> codes;
    for (const auto& issued : response.codes()) codes.push_back(issued.code());
    return codes;
  }

  static v1::RedeemCodeRequest RedeemRequest(const std::string& code,
                                             const std::string& mac = "00:0E:08:AA:BB:CC",
                                             const std::string& source = "203.0.113.9",
                                             const std::string& model = "CP-8851-3PCC") {
    v1::RedeemCodeRequest request;
    request.set_code(code);
    request.mutable_device()->mutable_mac()->set_value(mac);
    request.mutable_device()->set_model(model);
    request.mutable_device()->set_serial("FCH2233ABCD");
    request.mutable_device()->set_firmware_version("sip88xx.11-2-3MSR1-1");
    request.set_source_address(source);
    return request;
  }

  grpc::Status Redeem(const v1::RedeemCodeRequest& request, v1::RedeemCodeResponse* response = nullptr) {
    grpc::ClientContext context;
    v1::RedeemCodeResponse ignored;
    return stub_->RedeemCode(&context, request, response ? response : &ignored);
  }

  v1::ActivationCode Get(const std::string& partner, const std::string& id, grpc::Status* status) {
    grpc::ClientContext context;
    v1::GetCodeRequest request;
    request.set_partner(partner);
    request.set_id(id);
    v1::ActivationCode code;
    *status = stub_->GetCode(&context, request, &code);
    return code;
  }

  std::string Query(const std::string& sql) {
    std::string value;
    EXPECT_TRUE(store::Transact(pool(), [&](pqxx::transaction_base& tx) {
                  value = tx.exec(sql)[0][0].c_str();
                  return absl::OkStatus();
                }).ok());
    return value;
  }

  static std::string FieldOf(const grpc::Status& status) {
    onramp::common::v1::ErrorDetail detail;
    detail.ParseFromString(status.error_details());
    return detail.field();
  }

  std::unique_ptr<CodeStore> store_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<ActivationCodeServiceImpl> service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::ActivationCodeService::Stub> stub_;
  int keys_ = 0;
};

TEST_F(ActivationServiceTest, CreateListRedeemThenRedeemAgainFails) {
  v1::CreateCodesResponse created;
  ASSERT_TRUE(Create(CreateRequest("acme", 3, "k1"), &created).ok());
  ASSERT_EQ(created.codes_size(), 3);
  for (const auto& issued : created.codes()) {
    EXPECT_THAT(issued.code(), ::testing::MatchesRegex("[0-9]{16}"));
    EXPECT_EQ(issued.details().last_digits(), issued.code().substr(12));
    EXPECT_EQ(issued.details().state(), v1::CODE_STATE_ACTIVE);
  }

  grpc::ClientContext list_context;
  v1::ListCodesRequest list_request;
  list_request.set_partner("acme");
  v1::ListCodesResponse listed;
  ASSERT_TRUE(stub_->ListCodes(&list_context, list_request, &listed).ok());
  EXPECT_EQ(listed.codes_size(), 3);
  std::string wire = listed.SerializeAsString();
  for (const auto& issued : created.codes()) {
    EXPECT_EQ(wire.find(issued.code()), std::string::npos) << "ListCodes leaked a code";
  }
  // Nor does the database hold any code in plain text.
  EXPECT_EQ(Query("SELECT count(*) FROM activation.codes WHERE code_hash LIKE '%" +
                  created.codes(0).code() + "%'"),
            "0");

  v1::RedeemCodeResponse redeemed;
  grpc::Status status = Redeem(RedeemRequest(created.codes(0).code()), &redeemed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(redeemed.partner(), "acme");
  EXPECT_EQ(redeemed.target().profile_rule(), kRule);
  EXPECT_EQ(redeemed.target().registration_endpoint(), "https://cloud.example.com/register");
  EXPECT_EQ(redeemed.target().account_ref(), "workspace-42");
  EXPECT_FALSE(redeemed.redemption_id().empty());

  // Another phone typing it: used, and told exactly what an unknown code gets.
  status = Redeem(RedeemRequest(created.codes(0).code(), "000e08aabbcd"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "no such activation code");

  grpc::Status get_status;
  v1::ActivationCode code = Get("acme", redeemed.code_id(), &get_status);
  ASSERT_TRUE(get_status.ok());
  EXPECT_EQ(code.state(), v1::CODE_STATE_USED);
  EXPECT_EQ(code.redeemed_by().mac().value(), "000e08aabbcc");
  EXPECT_EQ(code.redeemed_by().serial(), "FCH2233ABCD");
  EXPECT_EQ(Query("SELECT count(*) FROM activation.audit WHERE action = 'redeem' AND outcome = 'ok'"), "1");
  EXPECT_EQ(Query("SELECT count(*) FROM activation.audit WHERE action = 'redeem' AND outcome = 'not_active'"), "1");
  EXPECT_EQ(Query("SELECT count(*) FROM activation.audit WHERE action = 'create'"), "1");
}

TEST_F(ActivationServiceTest, RevokedCodesCannotBeRedeemed) {
  v1::CreateCodesResponse created;
  ASSERT_TRUE(Create(CreateRequest("acme", 1, "k1"), &created).ok());
  for (int attempt = 0; attempt < 2; ++attempt) {  // the second revoke changes nothing
    grpc::ClientContext context;
    v1::RevokeCodeRequest request;
    request.set_partner("acme");
    request.set_id(created.codes(0).details().id());
    v1::ActivationCode revoked;
    ASSERT_TRUE(stub_->RevokeCode(&context, request, &revoked).ok());
    EXPECT_EQ(revoked.state(), v1::CODE_STATE_REVOKED);
  }
  EXPECT_EQ(Redeem(RedeemRequest(created.codes(0).code())).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ActivationServiceTest, ExpiredCodesAreRefusedAndSwept) {
  std::vector<std::string> codes = CreateCodes("acme", 2);
  // Time passes: both codes' expiry is now behind us.
  Query("UPDATE activation.codes SET expires_at = now() - interval '1 second' RETURNING 1");
  EXPECT_EQ(Redeem(RedeemRequest(codes[0])).error_code(), grpc::StatusCode::NOT_FOUND);
  absl::StatusOr<CodeStore::SweepResult> swept = store_->Sweep(absl::Hours(1));
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->expired, 2);
  EXPECT_EQ(Query("SELECT count(*) FROM activation.codes WHERE state = 'expired'"), "2");
}

TEST_F(ActivationServiceTest, BoundCodesRefuseOtherPhones) {
  v1::CreateCodesRequest request = CreateRequest("acme", 1, "k1");
  request.mutable_constraints()->set_model("CP-8851-3PCC");
  request.mutable_constraints()->mutable_mac()->set_value("0056.2b04.3615");
  v1::CreateCodesResponse created;
  ASSERT_TRUE(Create(request, &created).ok());
  EXPECT_EQ(created.codes(0).details().constraints().mac().value(), "00562b043615");
  const std::string code = created.codes(0).code();

  // No oracle: a code bound to another phone answers as an unknown one does.
  grpc::Status unknown = Redeem(RedeemRequest(*GenerateCode(SystemRandom()), "00562b043615", "198.51.100.1"));
  grpc::Status wrong_model = Redeem(RedeemRequest(code, "00562b043615", "198.51.100.1", "CP-7832-3PCC"));
  grpc::Status wrong_mac = Redeem(RedeemRequest(code, "00562b043616", "198.51.100.1"));
  for (const grpc::Status& refused : {wrong_model, wrong_mac}) {
    EXPECT_EQ(refused.error_code(), unknown.error_code());
    EXPECT_EQ(refused.error_message(), unknown.error_message());
    EXPECT_EQ(refused.error_details(), unknown.error_details());
  }
  v1::RedeemCodeResponse redeemed;
  grpc::Status right = Redeem(RedeemRequest(code, "00:56:2b:04:36:15", "198.51.100.1"), &redeemed);
  EXPECT_TRUE(right.ok()) << right.error_message();
  EXPECT_TRUE(redeemed.code_names_phone());
}

TEST_F(ActivationServiceTest, ThePhoneThatRedeemedGetsItsAnswerAgainWhenItWasLost) {
  const std::string code = CreateCodes("acme", 1)[0];
  v1::RedeemCodeResponse first;
  ASSERT_TRUE(Redeem(RedeemRequest(code), &first).ok());
  EXPECT_FALSE(first.replayed());
  EXPECT_FALSE(first.code_names_phone());
  // The answer never reached the phone; it asks again, from another address.
  v1::RedeemCodeResponse again;
  grpc::Status status = Redeem(RedeemRequest(code, "00:0e:08:aa:bb:cc", "203.0.113.10"), &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.redemption_id(), first.redemption_id());
  EXPECT_EQ(again.target().profile_rule(), first.target().profile_rule());
  EXPECT_EQ(Query("SELECT count(*) FROM activation.redeem_failures"), "0");
  // Another phone still cannot have it, and after the replay window nor can the first.
  EXPECT_EQ(Redeem(RedeemRequest(code, "000e08aabbcd")).error_code(), grpc::StatusCode::NOT_FOUND);
  Query("UPDATE activation.codes SET redeemed_at = now() - interval '25 hours' RETURNING 1");
  EXPECT_EQ(Redeem(RedeemRequest(code)).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ActivationServiceTest, ReplayingAUsedCodeFromManyAddressesCannotLockThePartnerOut) {
  const std::string used = CreateCodes("acme", 1)[0];
  ASSERT_TRUE(Redeem(RedeemRequest(used)).ok());
  // 58 addresses replay it with other MACs: each refusal counts against the
  // address, the MAC and that code.
  for (int i = 0; i < 58; ++i) {
    std::string mac = absl::StrCat("00000000cc", absl::Hex(i, absl::kZeroPad2));
    grpc::Status status = Redeem(RedeemRequest(used, mac, absl::StrCat("192.0.2.", i)));
    EXPECT_TRUE(status.error_code() == grpc::StatusCode::NOT_FOUND ||
                status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED)
        << status.error_message();
  }
  // The partner's fresh codes still work for its phones.
  int phone = 0;
  for (const std::string& fresh : CreateCodes("acme", 3)) {
    std::string mac = absl::StrCat("00000000dd", absl::Hex(phone++, absl::kZeroPad2));
    grpc::Status status = Redeem(RedeemRequest(fresh, mac, "203.0.113.77"));
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(Query("SELECT count(*) FROM activation.redeem_failures WHERE scope = 'code'"), "1");
}

TEST_F(ActivationServiceTest, ConcurrentRedemptionsHaveExactlyOneWinner) {
  const std::string code = CreateCodes("acme", 1)[0];
  constexpr int kThreads = 16;
  std::atomic<int> won = 0;
  std::atomic<int> refused = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // Distinct phones and sources, so no rate limit interferes.
      std::string mac = absl::StrCat("00000000aa", absl::Hex(i, absl::kZeroPad2));
      grpc::Status status = Redeem(RedeemRequest(code, mac, absl::StrCat("192.0.2.", i)));
      if (status.ok()) ++won;
      // Refused as used, or past the code's failure budget (5 here).
      if (status.error_code() == grpc::StatusCode::NOT_FOUND ||
          status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        ++refused;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), kThreads - 1);
}

TEST_F(ActivationServiceTest, RetriedCreateReturnsTheSameCodes) {
  v1::CreateCodesResponse first;
  v1::CreateCodesResponse retry;
  ASSERT_TRUE(Create(CreateRequest("acme", 4, "batch-7"), &first).ok());
  ASSERT_TRUE(Create(CreateRequest("acme", 4, "batch-7"), &retry).ok());
  EXPECT_EQ(retry.batch_id(), first.batch_id());
  ASSERT_EQ(retry.codes_size(), 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(retry.codes(i).code(), first.codes(i).code());
  EXPECT_EQ(Query("SELECT count(*) FROM activation.codes"), "4");

  v1::CreateCodesResponse conflicting;
  grpc::Status status = Create(CreateRequest("acme", 5, "batch-7"), &conflicting);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("different CreateCodes request"));
  // The same key under another partner is another batch.
  ASSERT_TRUE(Create(CreateRequest("globex", 4, "batch-7"), &conflicting).ok());
  EXPECT_NE(conflicting.batch_id(), first.batch_id());
}

TEST_F(ActivationServiceTest, PartnersSeeOnlyTheirOwnCodes) {
  v1::CreateCodesResponse created;
  ASSERT_TRUE(Create(CreateRequest("acme", 1, "k1"), &created).ok());
  const std::string id = created.codes(0).details().id();
  grpc::Status status;
  Get("globex", id, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext revoke_context;
  v1::RevokeCodeRequest revoke;
  revoke.set_partner("globex");
  revoke.set_id(id);
  v1::ActivationCode ignored;
  EXPECT_EQ(stub_->RevokeCode(&revoke_context, revoke, &ignored).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext list_context;
  v1::ListCodesRequest list;
  list.set_partner("globex");
  v1::ListCodesResponse listed;
  ASSERT_TRUE(stub_->ListCodes(&list_context, list, &listed).ok());
  EXPECT_EQ(listed.codes_size(), 0);
  Get("acme", id, &status);
  EXPECT_TRUE(status.ok());
}

TEST_F(ActivationServiceTest, ListPagesThroughEveryCodeOnce) {
  CreateCodes("acme", 3);
  CreateCodes("acme", 2);
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    grpc::ClientContext context;
    v1::ListCodesRequest request;
    request.set_partner("acme");
    request.mutable_page()->set_page_size(2);
    request.mutable_page()->set_page_token(token);
    v1::ListCodesResponse response;
    ASSERT_TRUE(stub_->ListCodes(&context, request, &response).ok());
    for (const auto& code : response.codes()) seen.insert(code.id());
    token = response.page().next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(pages, 3);

  grpc::ClientContext context;
  v1::ListCodesRequest bad;
  bad.set_partner("acme");
  bad.mutable_page()->set_page_token("not-a-token");
  v1::ListCodesResponse response;
  grpc::Status status = stub_->ListCodes(&context, bad, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(status), "page.page_token");
}

TEST_F(ActivationServiceTest, FailedGuessesAreRateLimitedAcrossTheFleetAndRecover) {
  const std::string live = CreateCodes("acme", 1)[0];
  const std::string attacker = "198.51.100.66";
  for (int i = 0; i < 5; ++i) {
    std::string guess = *GenerateCode(SystemRandom());
    // Distinct MACs: only the source limit (5) is in play.
    std::string mac = absl::StrCat("0000000000", absl::Hex(i, absl::kZeroPad2));
    EXPECT_EQ(Redeem(RedeemRequest(guess, mac, attacker)).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  grpc::Status limited = Redeem(RedeemRequest(live, "0000000000ff", attacker));
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(limited.error_message(), HasSubstr("this source"));
  // When to come back: the real rest of the window, in the status details.
  std::optional<absl::Duration> retry_after = status::RetryAfterOf(status::FromGrpcStatus(limited));
  ASSERT_TRUE(retry_after.has_value());
  EXPECT_GT(*retry_after, absl::ZeroDuration());
  EXPECT_LE(*retry_after, absl::Hours(1));
  // The count lives in PostgreSQL, where every replica reads it.
  EXPECT_EQ(Query("SELECT failures FROM activation.redeem_failures WHERE scope = 'source' "
                  "AND subject = '198.51.100.66'"),
            "5");
  // The window passes (moved back in the table rather than waited for).
  Query("UPDATE activation.redeem_failures SET window_start = window_start - interval '2 hours' RETURNING 1");
  grpc::Status recovered = Redeem(RedeemRequest(live, "0000000000ff", attacker));
  EXPECT_TRUE(recovered.ok()) << recovered.error_message();
}

TEST_F(ActivationServiceTest, BadInputNamesTheField) {
  struct Case {
    std::function<void(v1::CreateCodesRequest&)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.set_partner(""); }, "partner"},
      {[](auto& r) { r.set_partner(std::string(65, 'p')); }, "partner"},
      {[](auto& r) { r.set_partner("acme corp"); }, "partner"},
      {[](auto& r) { r.set_count(0); }, "count"},
      {[](auto& r) { r.set_count(1001); }, "count"},
      {[](auto& r) { r.mutable_expires_in()->set_seconds(60); }, "expires_in"},
      {[](auto& r) { r.mutable_constraints()->set_model("bad model"); }, "constraints.model"},
      {[](auto& r) { r.mutable_constraints()->mutable_mac()->set_value("00:11"); }, "constraints.mac"},
      {[](auto& r) { r.mutable_target()->set_profile_rule(""); }, "target.profile_rule"},
      {[](auto& r) { r.mutable_target()->set_profile_rule("ftp://h/x"); }, "target.profile_rule"},
      {[](auto& r) { r.mutable_target()->set_profile_rule("gds://"); }, "target.profile_rule"},
      {[](auto& r) { r.mutable_target()->set_registration_endpoint("http://plain"); },
       "target.registration_endpoint"},
      {[](auto& r) { r.mutable_target()->set_account_ref(std::string(300, 'a')); }, "target.account_ref"},
      {[](auto& r) { r.set_idempotency_key(""); }, "idempotency_key"},
      {[](auto& r) { r.set_idempotency_key("tab\there"); }, "idempotency_key"},
  };
  for (const Case& c : cases) {
    v1::CreateCodesRequest request = CreateRequest("acme", 1, "k1");
    c.change(request);
    v1::CreateCodesResponse response;
    grpc::Status status = Create(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(FieldOf(status), c.field) << status.error_message();
  }
  EXPECT_EQ(Query("SELECT count(*) FROM activation.codes"), "0");

  const std::string valid = *GenerateCode(SystemRandom());
  std::string typo = valid;
  typo[3] = typo[3] == '0' ? '1' : '0';
  const std::vector<std::pair<v1::RedeemCodeRequest, std::string>> redeems = {
      {RedeemRequest(""), "code"},
      {RedeemRequest("123456789012345"), "code"},
      {RedeemRequest("12345678901234567"), "code"},
      {RedeemRequest(typo), "code"},
      {RedeemRequest(valid, ""), "device.mac"},
      {RedeemRequest(valid, "00-0e-08-aa-bb-cc"), "device.mac"},
      {RedeemRequest(valid, "000e08aabbcc", ""), "source_address"},
      {RedeemRequest(valid, "000e08aabbcc", "192.0.2.1", ""), "device.model"},
  };
  for (const auto& [request, field] : redeems) {
    grpc::Status status = Redeem(request);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_EQ(FieldOf(status), field) << status.error_message();
  }
  // Typos are refused before the database: no audit row, no failure count.
  EXPECT_EQ(Query("SELECT count(*) FROM activation.audit WHERE action = 'redeem'"), "0");

  grpc::Status status;
  Get("acme", "not-a-uuid", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(status), "id");
}

}  // namespace
}  // namespace onramp::activation
