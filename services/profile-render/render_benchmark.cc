// Renders/s of a ~2 KiB profile: uncached (merge, template, macros, write,
// gzip, encrypt) and cached (a render-cache hit). tools/bench/profile_render
// adds the same through gRPC beside an echo server.

#include <memory>

#include "benchmark/benchmark.h"
#include "lib/kit/cache/lru_cache.h"
#include "services/profile-render/render.h"

namespace onramp::profile {
namespace {

RenderInput TwoKibInput() {
  RenderInput input;
  input.device.mac = *identity::MacAddress::Parse("000e08aabbcc");
  input.device.model = "CP-8851-3PCC";
  input.device.serial = "FCH2233ABCD";
  input.device.partner = "acme";
  input.device.site = "lisbon";
  input.layers.push_back({Scope::kGlobal,
                          {{"Resync_Periodic", "3600"},
                           {"Resync_Error_Retry_Delay", "60,120,240,480,960,1920,3840,7680,15360,30720,61440,86400"},
                           {"Profile_Rule", "https://prov.example.com/profiles/$MA.xml"},
                           {"Upgrade_Rule", "https://fw.example.com/sip88xx.12-0-1MPP0001-245.loads"}}});
  Layer partner{Scope::kPartner, {}};
  for (int line = 1; line <= 6; ++line) {
    std::string n = std::to_string(line);
    partner.parameters.push_back({"Proxy_" + n + "_", "sip.example.com"});
    partner.parameters.push_back({"User_ID_" + n + "_", "4420700" + n});
    partner.parameters.push_back({"Short_Name_" + n + "_", "Line " + n});
    partner.parameters.push_back({"Password_" + n + "_", "w8kQ2zP" + n});
    partner.parameters.push_back(
        {"Dial_Plan_" + n + "_", "(*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.)"});
  }
  input.layers.push_back(partner);
  input.template_text = "<Display_Name_1_>Desk {{serial}}</Display_Name_1_>";
  input.gzip = true;
  input.key = *profile_crypto::DeviceKey::Generate();
  return input;
}

void BM_RenderUncached(benchmark::State& state) {
  RenderInput input = TwoKibInput();
  size_t bytes = Render(input)->xml.size();
  for (auto _ : state) benchmark::DoNotOptimize(Render(input));
  state.counters["xml_bytes"] = static_cast<double>(bytes);
  state.counters["renders_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RenderUncached);

void BM_RenderCached(benchmark::State& state) {
  cache::LruCache<Rendered> cache(1000);  // as the renderer keeps its renders
  cache.Put("key", std::make_shared<const Rendered>(*Render(TwoKibInput())));
  for (auto _ : state) benchmark::DoNotOptimize(cache.Find("key"));
  state.counters["renders_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RenderCached);

}  // namespace
}  // namespace onramp::profile

BENCHMARK_MAIN();
