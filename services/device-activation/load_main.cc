// device_activation_load: claims phones, then looks them up from concurrent
// clients as a boot storm would, and prints one JSON line of figures.
// Used by tools/bench/device_activation.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/create_channel.h"
#include "lib/kit/config/flags.h"
#include "onramp/device/v1/device.grpc.pb.h"

namespace onramp::device {
namespace {

using Clock = std::chrono::steady_clock;

int Main(int argc, char** argv) {
  std::string address;
  int devices = 20000;
  int clients = 8;
  absl::Duration duration = absl::Seconds(10);
  config::Flags flags("device_activation_load",
                      "Claims --devices phones (MACs 02xxxxxxxxxx), then runs Lookup for random "
                      "ones from --clients threads for --duration.");
  flags.RequiredString("address", &address, "host:port of the device-activation service.");
  flags.Int("devices", &devices, 1, 10000000, "Phones to claim.");
  flags.Int("clients", &clients, 1, 256, "Concurrent clients.");
  flags.Duration("duration", &duration, "How long to look up.");
  flags.ParseOrExit(argc, argv);

  auto stub = v1::DeviceActivationService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  for (int first = 0; first < devices; first += 10000) {
    v1::ClaimDevicesRequest request;
    request.set_partner("bench");
    request.set_idempotency_key(absl::StrCat("load-", first, "-", Clock::now().time_since_epoch().count()));
    request.mutable_target()->set_profile_rule("https://prov.example.com/$MA.xml");
    for (int i = first; i < std::min(devices, first + 10000); ++i) {
      v1::DeviceRow* row = request.add_devices();
      row->mutable_mac()->set_value(absl::StrFormat("02%010x", i));
      row->set_model("CP-8851-3PCC");
    }
    grpc::ClientContext context;
    v1::ClaimDevicesResponse response;
    grpc::Status status = stub->ClaimDevices(&context, request, &response);
    if (!status.ok()) {
      std::cerr << "ClaimDevices: " << status.error_message() << "\n";
      return 1;
    }
  }

  std::atomic<int> failures = 0;
  std::mutex mutex;
  std::vector<double> latencies;
  auto stop_at = Clock::now() + absl::ToChronoNanoseconds(duration);
  auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937 random(c);
      std::vector<double> mine;
      while (Clock::now() < stop_at) {
        int i = static_cast<int>(random() % devices);
        v1::LookupRequest request;
        request.mutable_device()->mutable_mac()->set_value(absl::StrFormat("02%010x", i));
        request.mutable_device()->set_model("CP-8851-3PCC");
        request.set_source_address(absl::StrCat("10.9.", c, ".", i % 250));
        grpc::ClientContext context;
        v1::LookupResponse response;
        auto begin = Clock::now();
        grpc::Status status = stub->Lookup(&context, request, &response);
        mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - begin).count());
        if (!status.ok()) ++failures;
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads) thread.join();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::sort(latencies.begin(), latencies.end());
  auto percentile = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[static_cast<size_t>(p * (latencies.size() - 1))];
  };
  std::cout << absl::StrFormat(
      "{\"devices\":%d,\"lookups\":%d,\"failures\":%d,\"lookups_per_second\":%.0f,"
      "\"p50_us\":%.0f,\"p99_us\":%.0f}\n",
      devices, static_cast<int>(latencies.size()), failures.load(), latencies.size() / seconds,
      percentile(0.5), percentile(0.99));
  return failures.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace onramp::device

int main(int argc, char** argv) { return onramp::device::Main(argc, argv); }
