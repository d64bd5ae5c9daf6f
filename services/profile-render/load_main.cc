// profile_render_load: Render through gRPC, cached and uncached, beside a
// bare echo server built from the same server kit, and prints one JSON line.
// Used by tools/bench/profile_render.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/create_channel.h"
#include "lib/kit/config/flags.h"
#include "onramp/profile/v1/profile.grpc.pb.h"
#include "onramp/testing/v1/kit_test.grpc.pb.h"

namespace onramp::profile {
namespace {

using Clock = std::chrono::steady_clock;

struct Figures {
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  int failures = 0;
};

// Runs `call` from `clients` threads for `duration`; call(thread, i) returns success.
Figures Drive(int clients, absl::Duration duration, const std::function<bool(int, int)>& call) {
  std::mutex mutex;
  std::vector<double> latencies;
  std::atomic<int> failures = 0;
  auto stop_at = Clock::now() + absl::ToChronoNanoseconds(duration);
  auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      for (int i = 0; Clock::now() < stop_at; ++i) {
        auto begin = Clock::now();
        if (!call(c, i)) ++failures;
        mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - begin).count());
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads) thread.join();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::sort(latencies.begin(), latencies.end());
  Figures figures;
  figures.per_second = latencies.size() / seconds;
  figures.p50_us = latencies.empty() ? 0 : latencies[latencies.size() / 2];
  figures.p99_us = latencies.empty() ? 0 : latencies[(latencies.size() - 1) * 99 / 100];
  figures.failures = failures.load();
  return figures;
}

std::string Json(const char* name, const Figures& f) {
  return absl::StrFormat("\"%s\":{\"per_second\":%.0f,\"p50_us\":%.0f,\"p99_us\":%.0f,\"failures\":%d}",
                         name, f.per_second, f.p50_us, f.p99_us, f.failures);
}

int Main(int argc, char** argv) {
  std::string address;
  std::string echo_address;
  int devices = 1000;
  int clients = 8;
  absl::Duration duration = absl::Seconds(5);
  config::Flags flags("profile_render_load", "Render vs echo through gRPC, same kit, same run.");
  flags.RequiredString("address", &address, "host:port of profile-render.");
  flags.RequiredString("echo_address", &echo_address, "host:port of the kit's echo service.");
  flags.Int("devices", &devices, 1, 1000000, "Phones with a device layer.");
  flags.Int("clients", &clients, 1, 256, "Concurrent clients.");
  flags.Duration("duration", &duration, "Per phase.");
  flags.ParseOrExit(argc, argv);

  auto render = v1::ProfileRenderService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  auto echo = onramp::testing::v1::KitTestService::NewStub(
      grpc::CreateChannel(echo_address, grpc::InsecureChannelCredentials()));

  auto put = [&](const std::string& partner, v1::Scope scope, const std::string& key,
                 const std::vector<std::pair<std::string, std::string>>& parameters) {
    grpc::ClientContext context;
    v1::PutLayerRequest request;
    request.mutable_ref()->set_partner(partner);
    request.mutable_ref()->set_scope(scope);
    request.mutable_ref()->set_key(key);
    for (const auto& [name, value] : parameters) {
      v1::Parameter* p = request.add_parameters();
      p->set_name(name);
      p->set_value(value);
      p->set_ua(v1::USER_ACCESS_NA);
    }
    v1::Layer layer;
    return render->PutLayer(&context, request, &layer).ok();
  };
  std::vector<std::pair<std::string, std::string>> partner_parameters;
  for (int line = 1; line <= 6; ++line) {
    std::string n = std::to_string(line);
    partner_parameters.push_back({"Proxy_" + n + "_", "sip.example.com"});
    partner_parameters.push_back({"User_ID_" + n + "_", "4420700" + n});
    partner_parameters.push_back({"Short_Name_" + n + "_", "Line " + n});
    partner_parameters.push_back(
        {"Dial_Plan_" + n + "_", "(*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.)"});
  }
  if (!put("", v1::SCOPE_GLOBAL, "", {{"Resync_Periodic", "3600"},
                                      {"Profile_Rule", "https://prov.example.com/$MA.xml"}}) ||
      !put("bench", v1::SCOPE_PARTNER, "", partner_parameters)) {
    std::cerr << "cannot set up layers\n";
    return 1;
  }
  for (int i = 0; i < devices; ++i) {
    if (!put("bench", v1::SCOPE_DEVICE, absl::StrFormat("02%010x", i),
             {{"Display_Name_1_", absl::StrCat("Desk ", i)}})) {
      std::cerr << "cannot put device layer " << i << "\n";
      return 1;
    }
  }
  auto render_call = [&](int thread, int i, bool unique_serial) {
    grpc::ClientContext context;
    v1::RenderRequest request;
    request.mutable_device()->mutable_mac()->set_value(absl::StrFormat("02%010x", (thread * 7919 + i) % devices));
    request.mutable_device()->set_model("CP-8851-3PCC");
    // A serial never seen before makes every request miss the cache.
    request.mutable_device()->set_serial(unique_serial ? absl::StrCat("S", thread, "-", i) : "S");
    request.set_authenticated_channel(true);
    v1::RenderResponse response;
    return render->Render(&context, request, &response).ok();
  };
  // Warm the cache with every phone once.
  for (int i = 0; i < devices; ++i) render_call(0, i, false);
  Figures cached = Drive(clients, duration, [&](int t, int i) { return render_call(t, i, false); });
  Figures uncached = Drive(clients, duration, [&](int t, int i) { return render_call(t, i, true); });
  Figures echoed = Drive(clients, duration, [&](int, int) {
    grpc::ClientContext context;
    onramp::testing::v1::EchoRequest request;
    request.set_text("x");
    onramp::testing::v1::EchoResponse response;
    return echo->Echo(&context, request, &response).ok();
  });
  std::cout << "{" << Json("cached", cached) << "," << Json("uncached", uncached) << ","
            << Json("echo", echoed) << "}\n";
  return cached.failures + uncached.failures + echoed.failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace onramp::profile

int main(int argc, char** argv) { return onramp::profile::Main(argc, argv); }
