#include "services/device-activation/api_keys.h"

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "lib/kit/server/server.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/testing/database_test.h"
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

}  // namespace
}  // namespace onramp::device
