// FirmwareCatalogService over real gRPC against the real PostgreSQL from
// tools/test, with an injected clock for rollout soak times.

#include "services/firmware-catalog/service.h"

#include <atomic>
#include <filesystem>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "lib/base/digest/digest.h"
#include "lib/kit/metrics/testing/counter_value.h"
#include "lib/kit/server/server.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/testing/database_test.h"
#include "onramp/common/v1/common.pb.h"
#include "onramp/firmware/v1/firmware.grpc.pb.h"
#include "pqxx/pqxx"
#include "services/firmware-catalog/migrations.h"

namespace onramp::firmware {
namespace {

using ::testing::HasSubstr;

constexpr char kModel[] = "CP-8851-3PCC";
constexpr char kOld[] = "sip88xx.11-2-3MSR1-1.loads";
constexpr char kNew[] = "sip88xx.12-0-1MPP0001-245.loads";

std::string Mac(int i) { return absl::StrFormat("02%010x", i); }

class CatalogTest : public store::testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    image_dir_ = ::testing::TempDir() + "/images";
    std::filesystem::remove_all(image_dir_);
    std::filesystem::create_directories(image_dir_);
    ASSERT_TRUE(store::Migrate(pool(), "firmware", Migrations()).ok());
    StartService();
  }

  void StartService() {
    if (server_) server_->Drain();
    store_ = std::make_unique<PostgresCatalogStore>(pool());
    ServiceOptions options{.image_dir = image_dir_,
                           .download_base_url = "https://gw.example.com/firmware/",
                           .now = [this] { return absl::FromUnixMicros(now_micros_.load()); }};
    registry_ = std::make_shared<prometheus::Registry>();
    service_ = std::make_unique<FirmwareCatalogServiceImpl>(*store_, options, *registry_);
    auto server = server::Server::Start(
        {.host = "127.0.0.1", .metrics_host = "127.0.0.1", .drain_delay = absl::ZeroDuration()},
        {service_.get()}, registry_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::FirmwareCatalogService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->grpc_port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Drain();
  }

  static std::string FieldOf(const grpc::Status& status) {
    onramp::common::v1::ErrorDetail detail;
    detail.ParseFromString(status.error_details());
    return detail.field();
  }

  grpc::Status Upload(const std::string& name, const std::string& bytes, const std::string& sha256,
                      v1::Image* image = nullptr) {
    grpc::ClientContext context;
    v1::Image ignored;
    auto writer = stub_->RegisterImage(&context, image ? image : &ignored);
    v1::ImageUpload upload;
    upload.mutable_metadata()->set_file_name(name);
    upload.mutable_metadata()->add_models(kModel);
    upload.mutable_metadata()->set_size(static_cast<int64_t>(bytes.size()));
    upload.mutable_metadata()->set_sha256(sha256);
    writer->Write(upload);
    for (size_t at = 0; at < bytes.size(); at += 10000) {
      v1::ImageUpload chunk;
      chunk.set_chunk(bytes.substr(at, 10000));
      writer->Write(chunk);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  void Catalog() {
    for (const char* name : {kOld, kNew}) {
      std::string bytes = absl::StrCat("image bytes of ", name);
      ASSERT_TRUE(Upload(name, bytes, digest::Sha256Hex(bytes)).ok());
    }
    grpc::ClientContext context;
    v1::UpgradeEdge edge;
    edge.set_model(kModel);
    edge.set_from_min("11-0-0MPP-1");
    edge.set_from_max("11-9-9MSR9-999");
    edge.set_to("12-0-1MPP0001-245");
    v1::UpgradeEdge stored;
    ASSERT_TRUE(stub_->SetUpgradeEdge(&context, edge, &stored).ok());
  }

  v1::Rollout CreateRollout(int threshold = 10) {
    grpc::ClientContext context;
    v1::CreateRolloutRequest request;
    request.set_partner("acme");
    request.set_model(kModel);
    request.set_target_version("12-0-1MPP0001-245");
    for (auto [percent, hours] : std::vector<std::pair<int, int>>{{10, 1}, {50, 1}, {100, 1}}) {
      v1::RolloutStage* stage = request.add_stages();
      stage->set_percent(percent);
      stage->mutable_min_soak()->set_seconds(hours * 3600);
    }
    request.set_failure_threshold_percent(threshold);
    v1::Rollout rollout;
    grpc::Status status = stub_->CreateRollout(&context, request, &rollout);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return rollout;
  }

  v1::PlanUpgradeResponse Plan(int phone, const std::string& current = "sip88xx.11-2-3MSR1-1") {
    grpc::ClientContext context;
    // A plan waiting on a lock fails here rather than hang the test.
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::PlanUpgradeRequest request;
    request.mutable_mac()->set_value(Mac(phone));
    request.set_model(kModel);
    request.set_current_version(current);
    request.set_partner("acme");
    v1::PlanUpgradeResponse response;
    grpc::Status status = stub_->PlanUpgrade(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // The phone's own report (mutual TLS, or encrypted with its key), unless
  // `authenticated` is false: anyone's who knows its MAC.
  v1::ReportUpgradeResponse Report(int phone, bool success, bool authenticated = true) {
    grpc::ClientContext context;
    v1::ReportUpgradeRequest request;
    request.set_authenticated(authenticated);
    request.mutable_mac()->set_value(Mac(phone));
    request.set_partner("acme");
    request.set_model(kModel);
    request.set_from_version("11-2-3MSR1-1");
    request.set_to_version("12-0-1MPP0001-245");
    request.set_outcome(success ? v1::UPGRADE_OUTCOME_SUCCESS : v1::UPGRADE_OUTCOME_FAILURE);
    v1::ReportUpgradeResponse response;
    EXPECT_TRUE(stub_->ReportUpgrade(&context, request, &response).ok());
    return response;
  }

  v1::Rollout Get(const std::string& id) {
    grpc::ClientContext context;
    v1::RolloutRef ref;
    ref.set_partner("acme");
    ref.set_id(id);
    v1::Rollout rollout;
    EXPECT_TRUE(stub_->GetRollout(&context, ref, &rollout).ok());
    return rollout;
  }

  void Pass(absl::Duration duration) { now_micros_ += absl::ToInt64Microseconds(duration); }

  std::string image_dir_;
  std::atomic<int64_t> now_micros_{absl::ToUnixMicros(absl::FromUnixSeconds(1800000000))};
  std::unique_ptr<CatalogStore> store_;
  std::unique_ptr<FirmwareCatalogServiceImpl> service_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::FirmwareCatalogService::Stub> stub_;
};

TEST_F(CatalogTest, AThousandPhonesGoThroughThreeStages) {
  Catalog();
  v1::Rollout rollout = CreateRollout();
  std::set<int> upgraded;
  auto round = [&] {
    for (int phone = 0; phone < 1000; ++phone) {
      if (upgraded.contains(phone)) continue;
      v1::PlanUpgradeResponse plan = Plan(phone);
      if (plan.up_to_date()) continue;
      EXPECT_EQ(plan.upgrade_rule(), absl::StrCat("https://gw.example.com/firmware/", kNew));
      Report(phone, true);
      upgraded.insert(phone);
    }
  };
  round();
  std::printf("rollout %s stage %d: %zu of 1000 phones upgraded\n", rollout.id().c_str(),
              Get(rollout.id()).current_stage(), upgraded.size());
  EXPECT_NEAR(static_cast<int>(upgraded.size()), 100, 40);
  EXPECT_EQ(Get(rollout.id()).current_stage(), 0);

  Pass(absl::Hours(1));
  round();
  std::printf("rollout stage %d: %zu of 1000 phones upgraded\n", Get(rollout.id()).current_stage(),
              upgraded.size());
  EXPECT_EQ(Get(rollout.id()).current_stage(), 1);
  EXPECT_NEAR(static_cast<int>(upgraded.size()), 500, 80);

  Pass(absl::Hours(1));
  round();
  v1::Rollout last = Get(rollout.id());
  std::printf("rollout stage %d: %zu of 1000 phones upgraded\n", last.current_stage(), upgraded.size());
  EXPECT_EQ(upgraded.size(), 1000u);
  EXPECT_EQ(last.current_stage(), 2);
  EXPECT_EQ(last.successes(), 1000);
  // Once the last stage has soaked, the rollout completes and its target
  // becomes the partner's: phones that show up later still get it.
  Pass(absl::Hours(1));
  v1::Rollout done = Get(rollout.id());
  std::printf("rollout state %s\n", v1::RolloutState_Name(done.state()).c_str());
  EXPECT_EQ(done.state(), v1::ROLLOUT_STATE_COMPLETED);
  EXPECT_FALSE(Plan(5000).up_to_date());
}

TEST_F(CatalogTest, EachPhoneCountsOnceAndOnlyItsOwnReportsCount) {
  Catalog();
  v1::Rollout rollout = CreateRollout(/*threshold=*/10);
  std::vector<int> admitted;
  for (int phone = 0; phone < 1000 && admitted.size() < 6; ++phone) {
    if (!Plan(phone).up_to_date()) admitted.push_back(phone);
  }
  ASSERT_EQ(admitted.size(), 6u);
  for (int i = 0; i < 5; ++i) Report(admitted[i], true);
  // Anyone who knows a claimed MAC posts failures in its name: kept, not counted.
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(Report(admitted[5], false, /*authenticated=*/false).has_rollout());
  }
  v1::Rollout after_strangers = Get(rollout.id());
  EXPECT_EQ(after_strangers.state(), v1::ROLLOUT_STATE_RUNNING);
  EXPECT_EQ(after_strangers.failures(), 0);
  EXPECT_EQ(after_strangers.successes(), 5);
  EXPECT_EQ(metrics::testing::CounterValue(*registry_, "onramp_firmware_upgrades_reported_total",
                                           {{"outcome", "failure"}}),
            20);
  // One phone saying the same thing six times is one phone's outcome.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(Report(admitted[0], true).rollout().successes(), 5);
  // The phone's own failure counts, once: 1 of 6 is over 10%.
  v1::Rollout halted = Report(admitted[5], false).rollout();
  EXPECT_EQ(halted.failures(), 1);
  EXPECT_EQ(halted.state(), v1::ROLLOUT_STATE_HALTED);
}

TEST_F(CatalogTest, APhonesLatestOutcomeReplacesItsEarlierOne) {
  Catalog();
  v1::Rollout rollout = CreateRollout(/*threshold=*/50);
  std::vector<int> admitted;
  for (int phone = 0; phone < 1000 && admitted.size() < 5; ++phone) {
    if (!Plan(phone).up_to_date()) admitted.push_back(phone);
  }
  ASSERT_EQ(admitted.size(), 5u);
  for (int phone : admitted) Report(phone, true);
  v1::Rollout failed = Report(admitted[0], false).rollout();  // it fell back after a retry
  EXPECT_EQ(failed.successes(), 4);
  EXPECT_EQ(failed.failures(), 1);
  v1::Rollout recovered = Report(admitted[0], true).rollout();  // and made it in the end
  EXPECT_EQ(recovered.successes(), 5);
  EXPECT_EQ(recovered.failures(), 0);
  EXPECT_EQ(recovered.state(), v1::ROLLOUT_STATE_RUNNING);
}

TEST_F(CatalogTest, AFailureBurstHaltsTheRolloutUntilResumedOrAborted) {
  Catalog();
  v1::Rollout rollout = CreateRollout(/*threshold=*/10);
  std::vector<int> admitted;
  for (int phone = 0; phone < 1000 && admitted.size() < 10; ++phone) {
    if (!Plan(phone).up_to_date()) admitted.push_back(phone);
  }
  ASSERT_EQ(admitted.size(), 10u);
  v1::Rollout state;
  for (size_t i = 0; i < admitted.size(); ++i) {
    state = Report(admitted[i], /*success=*/i < 6).rollout();  // then four failures
    if (state.state() == v1::ROLLOUT_STATE_HALTED) {
      std::printf("rollout %s HALTED after %d failures in %d reports (threshold 10%%)\n",
                  state.id().c_str(), state.failures(), state.successes() + state.failures());
      break;
    }
  }
  EXPECT_EQ(state.state(), v1::ROLLOUT_STATE_HALTED);
  EXPECT_EQ(state.failures(), 1);  // 1 of 7 is over 10%
  EXPECT_EQ(metrics::testing::CounterValue(*registry_, "onramp_firmware_upgrades_reported_total",
                                           {{"outcome", "success"}}),
            6);
  EXPECT_EQ(metrics::testing::CounterValue(*registry_, "onramp_firmware_upgrades_reported_total",
                                           {{"outcome", "failure"}}),
            1);
  EXPECT_EQ(Get(rollout.id()).state(), v1::ROLLOUT_STATE_HALTED);
  // Halted: no phone is sent the target, however long we wait.
  Pass(absl::Hours(10));
  v1::PlanUpgradeResponse plan = Plan(admitted[9]);
  EXPECT_TRUE(plan.up_to_date());
  EXPECT_THAT(plan.reason(), HasSubstr("paused or halted"));

  grpc::ClientContext resume_context;
  v1::RolloutRef ref;
  ref.set_partner("acme");
  ref.set_id(rollout.id());
  v1::Rollout resumed;
  ASSERT_TRUE(stub_->ResumeRollout(&resume_context, ref, &resumed).ok());
  EXPECT_EQ(resumed.state(), v1::ROLLOUT_STATE_RUNNING);
  EXPECT_EQ(resumed.failures(), 0);
  EXPECT_FALSE(Plan(admitted[9]).up_to_date());

  grpc::ClientContext abort_context;
  v1::Rollout aborted;
  ASSERT_TRUE(stub_->AbortRollout(&abort_context, ref, &aborted).ok());
  EXPECT_EQ(aborted.state(), v1::ROLLOUT_STATE_ABORTED);
  EXPECT_THAT(Plan(admitted[9]).reason(), HasSubstr("no target"));
  grpc::ClientContext again_context;
  EXPECT_EQ(stub_->AbortRollout(&again_context, ref, &aborted).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

// The rollout row as saved: stage and state.
std::pair<int, std::string> SavedRollout(const std::string& url, const std::string& id) {
  pqxx::connection connection(url);
  pqxx::nontransaction tx(connection);
  pqxx::row row = tx.exec_params1("SELECT current_stage, state FROM firmware.rollouts WHERE id = $1::uuid", id);
  return {row[0].as<int>(), row[1].as<std::string>()};
}

TEST_F(CatalogTest, PlanningDuringALiveRolloutTakesNoRowLock) {
  Catalog();
  v1::Rollout rollout = CreateRollout();
  // Someone holds the rollout row (a report being counted, a pause, the
  // sweeper): resyncs plan on regardless.
  pqxx::connection side(database().url());
  pqxx::work holder(side);
  holder.exec("SELECT id FROM firmware.rollouts FOR UPDATE");
  StartService();  // nothing cached
  int admitted = 0;
  for (int phone = 0; phone < 100; ++phone) admitted += !Plan(phone).up_to_date();
  EXPECT_GT(admitted, 0);
  EXPECT_LT(admitted, 40);
  // An hour on, the next stage is open to planning before anything saved it.
  Pass(absl::Hours(1));
  int later = 0;
  for (int phone = 0; phone < 100; ++phone) later += !Plan(phone).up_to_date();
  EXPECT_GT(later, admitted);
  holder.abort();
  EXPECT_EQ(SavedRollout(database().url(), rollout.id()).first, 0);
}

TEST_F(CatalogTest, TheSweeperSavesWhatIsDueOneReplicaAtATime) {
  Catalog();
  v1::Rollout rollout = CreateRollout();
  EXPECT_EQ(*store_->AdvanceRollouts(absl::FromUnixMicros(now_micros_.load())), 0);
  Pass(absl::Hours(1));
  // Reads show the rollout as the sweeper will save it, and write nothing.
  EXPECT_EQ(Get(rollout.id()).current_stage(), 1);
  EXPECT_EQ(SavedRollout(database().url(), rollout.id()), std::make_pair(0, std::string("running")));

  // Another replica's sweep holds the turn: this one does nothing.
  pqxx::connection other(database().url());
  pqxx::nontransaction turn(other);
  turn.exec("SELECT pg_advisory_lock(hashtext('onramp-rollout-sweeper'))");
  EXPECT_EQ(*store_->AdvanceRollouts(absl::FromUnixMicros(now_micros_.load())), 0);
  EXPECT_EQ(SavedRollout(database().url(), rollout.id()).first, 0);
  turn.exec("SELECT pg_advisory_unlock(hashtext('onramp-rollout-sweeper'))");

  EXPECT_EQ(*store_->AdvanceRollouts(absl::FromUnixMicros(now_micros_.load())), 1);
  EXPECT_EQ(SavedRollout(database().url(), rollout.id()), std::make_pair(1, std::string("running")));
  // Two more hours: the last stage soaked, the rollout completes and its
  // target becomes the partner's, so phones plan to it once it is gone.
  Pass(absl::Hours(2));
  EXPECT_EQ(*store_->AdvanceRollouts(absl::FromUnixMicros(now_micros_.load())), 1);
  EXPECT_EQ(SavedRollout(database().url(), rollout.id()), std::make_pair(2, std::string("completed")));
  StartService();
  EXPECT_FALSE(Plan(5000).up_to_date());
}

TEST_F(CatalogTest, StageMembershipSurvivesARestart) {
  Catalog();
  CreateRollout();
  auto admitted = [&] {
    std::set<int> phones;
    for (int phone = 0; phone < 300; ++phone) {
      if (!Plan(phone).up_to_date()) phones.insert(phone);
    }
    return phones;
  };
  std::set<int> before = admitted();
  StartService();  // a new process would compute the same
  EXPECT_EQ(admitted(), before);
  EXPECT_FALSE(before.empty());
}

TEST_F(CatalogTest, ImagesAreCheckedStoredAndReadInRanges) {
  std::string bytes(300000, '\0');
  std::mt19937 random(7);
  for (char& c : bytes) c = static_cast<char>(random());
  const std::string sha = digest::Sha256Hex(bytes);
  v1::Image image;
  ASSERT_TRUE(Upload(kOld, bytes, sha, &image).ok());
  EXPECT_EQ(image.version(), "11-2-3MSR1-1");
  EXPECT_EQ(image.sha256(), sha);

  auto read = [&](int64_t offset, int64_t length) {
    grpc::ClientContext context;
    v1::ReadImageRequest request;
    request.set_file_name(kOld);
    request.set_offset(offset);
    request.set_length(length);
    auto reader = stub_->ReadImage(&context, request);
    std::string data;
    v1::ImageChunk chunk;
    while (reader->Read(&chunk)) data += chunk.data();
    EXPECT_TRUE(reader->Finish().ok());
    return data;
  };
  EXPECT_EQ(digest::Sha256Hex(read(0, 0)), sha);
  EXPECT_EQ(read(1000, 5000), bytes.substr(1000, 5000));
  EXPECT_EQ(read(299990, 100), bytes.substr(299990));

  // By name: what a download needs before its first byte.
  grpc::ClientContext get_context;
  v1::GetImageRequest get;
  get.set_file_name(kOld);
  v1::Image got;
  ASSERT_TRUE(stub_->GetImage(&get_context, get, &got).ok());
  EXPECT_EQ(got.size(), 300000);
  EXPECT_EQ(got.sha256(), sha);
  grpc::ClientContext missing_context;
  get.set_file_name("sip88xx.1-2-3MPP-4.loads");
  EXPECT_EQ(stub_->GetImage(&missing_context, get, &got).error_code(), grpc::StatusCode::NOT_FOUND);

  // The same name with other bytes is refused; the same bytes again are fine.
  std::string other = bytes;
  other[0] ^= 1;
  EXPECT_EQ(Upload(kOld, other, digest::Sha256Hex(other)).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_TRUE(Upload(kOld, bytes, sha).ok());
  // A checksum mismatch stores nothing.
  grpc::Status mismatch = Upload(kNew, bytes, digest::Sha256Hex("something else"));
  EXPECT_EQ(mismatch.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(mismatch.error_message(), HasSubstr("checksum mismatch"));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(image_dir_)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2);  // the image and its other-bytes sibling; no upload leftovers
}

TEST_F(CatalogTest, PlansMultiHopAndRefusesLoopsAndDeadEnds) {
  Catalog();
  for (const char* name : {"sip88xx.10-4-1MPP-100.loads", "sip88xx.11-0-0MPP-256.loads"}) {
    std::string bytes = absl::StrCat("image bytes of ", name);
    ASSERT_TRUE(Upload(name, bytes, digest::Sha256Hex(bytes)).ok());
  }
  auto edge = [&](const char* min, const char* max, const char* to) {
    grpc::ClientContext context;
    v1::UpgradeEdge request;
    request.set_model(kModel);
    request.set_from_min(min);
    request.set_from_max(max);
    request.set_to(to);
    v1::UpgradeEdge stored;
    return stub_->SetUpgradeEdge(&context, request, &stored);
  };
  ASSERT_TRUE(edge("10-0-0MPP-1", "10-9-9MPP-999", "11-0-0MPP-256").ok());
  grpc::ClientContext target_context;
  v1::Target target;
  target.set_partner("acme");
  target.set_model(kModel);
  target.set_version("sip88xx.12-0-1MPP0001-245");
  ASSERT_TRUE(stub_->SetTarget(&target_context, target, &target).ok());
  v1::PlanUpgradeResponse plan = Plan(0, "sip88xx.10-4-1MPP-100");
  EXPECT_EQ(plan.next().version(), "11-0-0MPP-256");
  EXPECT_EQ(plan.hops_left(), 2);
  EXPECT_TRUE(Plan(0, "12-0-1MPP0001-245").up_to_date());
  grpc::Status loop = edge("12-0-0MPP-1", "12-9-9MPP-999", "11-0-0MPP-256");
  EXPECT_EQ(loop.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  grpc::ClientContext context;
  v1::PlanUpgradeRequest request;
  request.mutable_mac()->set_value(Mac(1));
  request.set_model(kModel);
  request.set_current_version("9-0-0MPP-1");
  request.set_partner("acme");
  v1::PlanUpgradeResponse response;
  EXPECT_EQ(stub_->PlanUpgrade(&context, request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CatalogTest, ImagesAreListedInTheVendorsVersionOrderPageByPage) {
  // Named so that file-name order is not version order.
  for (const char* name : {"sip88xx.11-3-7MPP-100.loads", "sip88xx.11-3-7MPP-36.loads", "sip88xx.11-3-7MPP-9.loads",
                           "sip88xx.11-10-0MPP-1.loads", "sip88xx.11-3-7MSR1-2.loads"}) {
    std::string bytes = absl::StrCat("image bytes of ", name);
    ASSERT_TRUE(Upload(name, bytes, digest::Sha256Hex(bytes)).ok());
  }
  std::vector<std::string> listed;
  std::string token;
  do {
    grpc::ClientContext context;
    v1::ListImagesRequest request;
    request.set_model(kModel);
    request.mutable_page()->set_page_size(2);
    request.mutable_page()->set_page_token(token);
    v1::ListImagesResponse page;
    ASSERT_TRUE(stub_->ListImages(&context, request, &page).ok());
    for (const v1::Image& image : page.images()) listed.push_back(image.version());
    token = page.page().next_page_token();
  } while (!token.empty());
  EXPECT_EQ(listed, (std::vector<std::string>{"11-3-7MPP-9", "11-3-7MPP-36", "11-3-7MPP-100", "11-3-7MSR1-2",
                                              "11-10-0MPP-1"}));
}

TEST_F(CatalogTest, TargetsEdgesAndRolloutsNeedAnImageAndAnEdgeIsStoredOnce) {
  Catalog();
  auto edge = [&](const char* to, v1::UpgradeEdge* stored) {
    grpc::ClientContext context;
    v1::UpgradeEdge request;
    request.set_model(kModel);
    request.set_from_min("10-0-0MPP-1");
    request.set_from_max("10-9-9MPP-999");
    request.set_to(to);
    return stub_->SetUpgradeEdge(&context, request, stored);
  };
  v1::UpgradeEdge ignored;
  grpc::Status no_image = edge("11-5-0MPP-1", &ignored);
  EXPECT_EQ(no_image.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FieldOf(no_image), "to");
  // The same edge twice (a retried request) is one edge.
  v1::UpgradeEdge first, again;
  ASSERT_TRUE(edge("11-2-3MSR1-1", &first).ok());
  ASSERT_TRUE(edge("11-2-3MSR1-1", &again).ok());
  EXPECT_EQ(again.id(), first.id());
  pqxx::connection connection(database().url());
  pqxx::nontransaction tx(connection);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM firmware.edges WHERE to_version = '11-2-3MSR1-1'")[0].as<int>(), 1);

  grpc::ClientContext target_context;
  v1::Target target;
  target.set_partner("acme");
  target.set_model(kModel);
  target.set_version("13-0-0MPP-1");
  grpc::Status no_target_image = stub_->SetTarget(&target_context, target, &target);
  EXPECT_EQ(no_target_image.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FieldOf(no_target_image), "version");

  grpc::ClientContext rollout_context;
  v1::CreateRolloutRequest rollout;
  rollout.set_partner("acme");
  rollout.set_model(kModel);
  rollout.set_target_version("13-0-0MPP-1");
  rollout.add_stages()->set_percent(100);
  v1::Rollout created;
  grpc::Status no_rollout_image = stub_->CreateRollout(&rollout_context, rollout, &created);
  EXPECT_EQ(no_rollout_image.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FieldOf(no_rollout_image), "target_version");
}

}  // namespace
}  // namespace onramp::firmware

namespace onramp::firmware {
namespace {

TEST_F(CatalogTest, APartnersRolloutsAreListedNewestFirstByPageAndState) {
  Catalog();
  std::vector<std::string> made;  // oldest first
  for (int i = 0; i < 3; ++i) {
    made.push_back(CreateRollout().id());
    if (i < 2) {
      grpc::ClientContext context;
      v1::RolloutRef ref;
      ref.set_partner("acme");
      ref.set_id(made.back());
      v1::Rollout aborted;
      ASSERT_TRUE(stub_->AbortRollout(&context, ref, &aborted).ok());
    }
  }
  auto list = [this](const std::string& partner, v1::RolloutState state, int page_size, const std::string& token,
                     v1::ListRolloutsResponse* response) {
    grpc::ClientContext context;
    v1::ListRolloutsRequest request;
    request.set_partner(partner);
    request.set_state(state);
    request.mutable_page()->set_page_size(page_size);
    request.mutable_page()->set_page_token(token);
    return stub_->ListRollouts(&context, request, response);
  };
  v1::ListRolloutsResponse first;
  ASSERT_TRUE(list("acme", v1::ROLLOUT_STATE_UNSPECIFIED, 2, "", &first).ok());
  ASSERT_EQ(first.rollouts_size(), 2);
  EXPECT_EQ(first.rollouts(0).id(), made[2]);
  EXPECT_EQ(first.rollouts(0).state(), v1::ROLLOUT_STATE_RUNNING);
  EXPECT_EQ(first.rollouts(1).id(), made[1]);
  EXPECT_TRUE(first.rollouts(0).has_create_time());
  ASSERT_FALSE(first.page().next_page_token().empty());
  v1::ListRolloutsResponse second;
  ASSERT_TRUE(list("acme", v1::ROLLOUT_STATE_UNSPECIFIED, 2, first.page().next_page_token(), &second).ok());
  ASSERT_EQ(second.rollouts_size(), 1);
  EXPECT_EQ(second.rollouts(0).id(), made[0]);
  EXPECT_TRUE(second.page().next_page_token().empty());

  v1::ListRolloutsResponse aborted;
  ASSERT_TRUE(list("acme", v1::ROLLOUT_STATE_ABORTED, 0, "", &aborted).ok());
  ASSERT_EQ(aborted.rollouts_size(), 2);
  EXPECT_EQ(aborted.rollouts(0).id(), made[1]);

  v1::ListRolloutsResponse strangers;
  ASSERT_TRUE(list("globex", v1::ROLLOUT_STATE_UNSPECIFIED, 0, "", &strangers).ok());
  EXPECT_EQ(strangers.rollouts_size(), 0);

  v1::ListRolloutsResponse ignored;
  grpc::Status bad_token = list("acme", v1::ROLLOUT_STATE_UNSPECIFIED, 2, "not-a-token", &ignored);
  EXPECT_EQ(bad_token.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(bad_token), "page.page_token");
}

}  // namespace
}  // namespace onramp::firmware
