#include "services/device-activation/api_keys.h"

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/server/server.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/testing/database_test.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"
#include "services/device-activation/migrations.h"

namespace onramp::device {
namespace {

using ::testing::MatchesRegex;

class ApiKeysTest : public store::testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store::Migrate(pool(), "device", Migrations()).ok());
    store_ = std::make_unique<PostgresApiKeyStore>(pool());
    service_ = std::make_unique<ApiKeyServiceImpl>(*store_);
    auto server = server::Server::Start(
        {.host = "127.0.0.1", .metrics_host = "127.0.0.1", .drain_delay = absl::ZeroDuration()}, {service_.get()},
        std::make_shared<prometheus::Registry>());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::ApiKeyService::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                                                           grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_) server_->Drain();
  }

  v1::CreateApiKeyResponse Create(const std::string& partner, const std::string& name) {
    grpc::ClientContext context;
    v1::CreateApiKeyRequest request;
    request.set_partner(partner);
    request.set_name(name);
    v1::CreateApiKeyResponse response;
    grpc::Status status = stub_->CreateApiKey(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status Authenticate(const std::string& secret, v1::ApiKey* key) {
    grpc::ClientContext context;
    v1::AuthenticateApiKeyRequest request;
    request.set_secret(secret);
    return stub_->AuthenticateApiKey(&context, request, key);
  }

  grpc::Status Revoke(const std::string& partner, const std::string& id) {
    grpc::ClientContext context;
    v1::RevokeApiKeyRequest request;
    request.set_partner(partner);
    request.set_id(id);
    v1::ApiKey key;
    return stub_->RevokeApiKey(&context, request, &key);
  }

  grpc::Status StartSession(const std::string& api_key, v1::StartConsoleSessionResponse* started) {
    grpc::ClientContext context;
    v1::StartConsoleSessionRequest request;
    request.set_api_key(api_key);
    return stub_->StartConsoleSession(&context, request, started);
  }

  grpc::Status AuthenticateSession(const std::string& secret, v1::ConsoleSession* session) {
    grpc::ClientContext context;
    v1::ConsoleSessionSecret request;
    request.set_secret(secret);
    return stub_->AuthenticateConsoleSession(&context, request, session);
  }

  grpc::Status EndSession(const std::string& secret) {
    grpc::ClientContext context;
    v1::ConsoleSessionSecret request;
    request.set_secret(secret);
    v1::EndConsoleSessionResponse ended;
    return stub_->EndConsoleSession(&context, request, &ended);
  }

  // A started session of a new key of `partner`.
  v1::StartConsoleSessionResponse NewSession(const std::string& partner) {
    v1::StartConsoleSessionResponse started;
    grpc::Status status = StartSession(Create(partner, "console").secret(), &started);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return started;
  }

  void Sql(const std::string& statement) {
    ASSERT_TRUE(store::Transact(pool(), [&](pqxx::transaction_base& tx) {
                  tx.exec(statement);
                  return absl::OkStatus();
                }).ok());
  }

  std::unique_ptr<PostgresApiKeyStore> store_;
  std::unique_ptr<ApiKeyServiceImpl> service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::ApiKeyService::Stub> stub_;
};

TEST_F(ApiKeysTest, AKeyAuthenticatesAsItsPartnerUntilRevoked) {
  v1::CreateApiKeyResponse created = Create("acme", "billing system");
  EXPECT_THAT(created.secret(), MatchesRegex("onr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}=?"));
  v1::ApiKey key;
  ASSERT_TRUE(Authenticate(created.secret(), &key).ok());
  EXPECT_EQ(key.partner(), "acme");
  EXPECT_EQ(key.name(), "billing system");

  // A changed secret, a malformed one and another key's id all fail alike.
  std::string tampered = created.secret();
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  grpc::Status wrong = Authenticate(tampered, &key);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Authenticate("Bearer nonsense", &key).error_message(), wrong.error_message());
  EXPECT_EQ(Authenticate("", &key).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // Another partner cannot revoke it; its own can, once and for good.
  EXPECT_EQ(Revoke("globex", created.key().id()).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Revoke("acme", created.key().id()).ok());
  EXPECT_EQ(Authenticate(created.secret(), &key).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Revoke("acme", created.key().id()).ok());
}

TEST_F(ApiKeysTest, ListsAPartnersKeysInPages) {
  for (int i = 0; i < 5; ++i) Create("acme", "key " + std::to_string(i));
  Create("globex", "not acme's");
  std::vector<std::string> names;
  std::string token;
  do {
    grpc::ClientContext context;
    v1::ListApiKeysRequest request;
    request.set_partner("acme");
    request.mutable_page()->set_page_size(2);
    request.mutable_page()->set_page_token(token);
    v1::ListApiKeysResponse response;
    ASSERT_TRUE(stub_->ListApiKeys(&context, request, &response).ok());
    EXPECT_LE(response.keys_size(), 2);
    for (const v1::ApiKey& key : response.keys()) {
      names.push_back(key.name());
      EXPECT_EQ(key.partner(), "acme");
    }
    token = response.page().next_page_token();
  } while (!token.empty());
  EXPECT_EQ(names.size(), 5u);
}

TEST_F(ApiKeysTest, AConsoleSessionStandsForItsKeysPartnerUntilEnded) {
  v1::CreateApiKeyResponse key = Create("acme", "console");
  v1::StartConsoleSessionResponse started;
  ASSERT_TRUE(StartSession(key.secret(), &started).ok());
  EXPECT_THAT(started.secret(), MatchesRegex("ons_[0-9a-f]{16}_[A-Za-z0-9_-]{43}=?"));
  EXPECT_NE(started.secret(), key.secret());
  EXPECT_EQ(started.session().partner(), "acme");
  EXPECT_EQ(started.session().api_key_id(), key.key().id());

  v1::ConsoleSession session;
  ASSERT_TRUE(AuthenticateSession(started.secret(), &session).ok());
  EXPECT_EQ(session.partner(), "acme");
  EXPECT_EQ(session.id(), started.session().id());
  // A session secret is not an API key, nor an API key a session.
  v1::ApiKey as_key;
  EXPECT_EQ(Authenticate(started.secret(), &as_key).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(AuthenticateSession(key.secret(), &session).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  ASSERT_TRUE(EndSession(started.secret()).ok());
  EXPECT_EQ(AuthenticateSession(started.secret(), &session).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(EndSession(started.secret()).ok());  // twice: nothing more happens
  EXPECT_TRUE(EndSession("ons_nonsense").ok());
  // The key itself goes on working.
  EXPECT_TRUE(Authenticate(key.secret(), &as_key).ok());
}

TEST_F(ApiKeysTest, OnlyALiveKeyStartsASession) {
  v1::StartConsoleSessionResponse started;
  EXPECT_EQ(StartSession("onr_0123456789abcdef_guess", &started).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(StartSession("", &started).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::CreateApiKeyResponse key = Create("acme", "console");
  ASSERT_TRUE(Revoke("acme", key.key().id()).ok());
  EXPECT_EQ(StartSession(key.secret(), &started).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ApiKeysTest, RevokingTheKeyEndsItsSessions) {
  v1::CreateApiKeyResponse key = Create("acme", "console");
  v1::StartConsoleSessionResponse started;
  ASSERT_TRUE(StartSession(key.secret(), &started).ok());
  ASSERT_TRUE(Revoke("acme", key.key().id()).ok());
  v1::ConsoleSession session;
  EXPECT_EQ(AuthenticateSession(started.secret(), &session).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ApiKeysTest, ASessionIdWithoutItsSecretNeitherAuthenticatesNorEndsIt) {
  v1::StartConsoleSessionResponse started = NewSession("acme");
  std::string tampered = started.secret();
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  v1::ConsoleSession session;
  EXPECT_EQ(AuthenticateSession(tampered, &session).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(EndSession(tampered).ok());
  EXPECT_TRUE(AuthenticateSession(started.secret(), &session).ok());
}

TEST_F(ApiKeysTest, AnUnusedSessionExpiresAndAUsedOneStillEndsAfterTwelveHours) {
  v1::StartConsoleSessionResponse idle = NewSession("acme");
  v1::StartConsoleSessionResponse busy = NewSession("acme");
  v1::ConsoleSession session;
  ASSERT_TRUE(AuthenticateSession(busy.secret(), &session).ok());
  // A use moves the expiry to half an hour from now.
  absl::Duration left = proto::FromTimestamp(session.expire_time()) - absl::Now();
  EXPECT_GT(left, absl::Minutes(29));
  EXPECT_LE(left, absl::Minutes(30));

  // Half an hour unused passes for `idle`; `busy` began 13 hours ago but
  // was used all along.
  Sql("UPDATE device.console_sessions SET expire_time = now() - interval '1 second' WHERE id = '" +
      idle.session().id() + "'");
  Sql("UPDATE device.console_sessions SET start_time = now() - interval '13 hours' WHERE id = '" +
      busy.session().id() + "'");
  EXPECT_EQ(AuthenticateSession(idle.secret(), &session).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(AuthenticateSession(busy.secret(), &session).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace onramp::device
