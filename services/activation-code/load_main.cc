// activation_code_load: drives a running activation-code service and
// reports codes created per second and redemption latency percentiles.
// Used by tools/bench/activation_code.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/create_channel.h"
#include "lib/kit/config/flags.h"
#include "onramp/activation/v1/activation.grpc.pb.h"

namespace onramp::activation {
namespace {

using Clock = std::chrono::steady_clock;

int Main(int argc, char** argv) {
  std::string address;
  int batches = 20;
  int batch_size = 1000;
  int redemptions = 5000;
  int clients = 8;
  config::Flags flags("activation_code_load",
                      "Creates codes in batches, then redeems them from concurrent clients, and "
                      "prints one JSON line of figures.");
  flags.RequiredString("address", &address, "host:port of the activation-code service.");
  flags.Int("batches", &batches, 1, 10000, "CreateCodes calls.");
  flags.Int("batch_size", &batch_size, 1, 1000, "Codes per CreateCodes call.");
  flags.Int("redemptions", &redemptions, 1, 10000000, "RedeemCode calls (at most the codes made).");
  flags.Int("clients", &clients, 1, 256, "Concurrent redeeming clients.");
  flags.ParseOrExit(argc, argv);

  grpc::ChannelArguments arguments;
  auto stub = v1::ActivationCodeService::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments));

  std::vector<std::string> codes;
  auto started = Clock::now();
  for (int b = 0; b < batches; ++b) {
    grpc::ClientContext context;
    v1::CreateCodesRequest request;
    request.set_partner("bench");
    request.set_count(batch_size);
    request.set_idempotency_key(absl::StrCat("bench-", b, "-", started.time_since_epoch().count()));
    request.mutable_target()->set_profile_rule("https://prov.example.com/$MA.xml");
    v1::CreateCodesResponse response;
    grpc::Status status = stub->CreateCodes(&context, request, &response);
    if (!status.ok()) {
      std::cerr << "CreateCodes: " << status.error_message() << "\n";
      return 1;
    }
    for (const auto& issued : response.codes()) codes.push_back(issued.code());
  }
  double create_seconds = std::chrono::duration<double>(Clock::now() - started).count();

  redemptions = std::min<int>(redemptions, static_cast<int>(codes.size()));
  std::atomic<int> next = 0;
  std::atomic<int> failures = 0;
  std::mutex mutex;
  std::vector<double> latencies;
  latencies.reserve(redemptions);
  auto redeem_started = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      for (int i; (i = next++) < redemptions;) {
        grpc::ClientContext context;
        v1::RedeemCodeRequest request;
        request.set_code(codes[i]);
        // A phone and source per redemption: no rate limit is in play.
        request.mutable_device()->mutable_mac()->set_value(absl::StrFormat("02%010x", i));
        request.mutable_device()->set_model("CP-8851-3PCC");
        request.set_source_address(absl::StrCat("10.", c, ".", i / 250 % 250, ".", i % 250));
        v1::RedeemCodeResponse response;
        auto begin = Clock::now();
        grpc::Status status = stub->RedeemCode(&context, request, &response);
        mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - begin).count());
        if (!status.ok()) ++failures;
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads) thread.join();
  double redeem_seconds = std::chrono::duration<double>(Clock::now() - redeem_started).count();
  std::sort(latencies.begin(), latencies.end());
  auto percentile = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[static_cast<size_t>(p * (latencies.size() - 1))];
  };
  std::cout << absl::StrFormat(
      "{\"codes\":%d,\"create_seconds\":%.3f,\"codes_per_second\":%.0f,"
      "\"redemptions\":%d,\"redeem_failures\":%d,\"redemptions_per_second\":%.0f,"
      "\"redeem_p50_us\":%.0f,\"redeem_p99_us\":%.0f}\n",
      static_cast<int>(codes.size()), create_seconds, codes.size() / create_seconds, redemptions,
      failures.load(), redemptions / redeem_seconds, percentile(0.5), percentile(0.99));
  return failures.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace onramp::activation

int main(int argc, char** argv) { return onramp::activation::Main(argc, argv); }
