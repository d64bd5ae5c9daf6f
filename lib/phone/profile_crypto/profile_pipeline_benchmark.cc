// What a resync costs the cloud per phone: render a ~2 KiB profile, gzip
// it, encrypt it (either cipher), and the bare ciphers on 2 KiB for
// comparison with `openssl speed`. tools/bench/profile_crypto runs this and
// openssl speed in the same run and prints the ratios.

#include <string>

#include "benchmark/benchmark.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/profile_crypto/aes128gcm.h"
#include "lib/phone/profile_crypto/gzip.h"
#include "lib/phone/profile_crypto/openssl_enc.h"

namespace onramp::profile_crypto {
namespace {

// A realistic profile of about 2 KiB: lines, proxies, rules, timers.
flat_profile::FlatProfile TwoKibProfile() {
  flat_profile::FlatProfile profile;
  auto add = [&](std::string name, std::string value) {
    profile.parameters.push_back(
        {.name = std::move(name), .value = std::move(value), .user_access = flat_profile::UserAccess::kNone});
  };
  add("Profile_Rule", "https://prov.example.com/profiles/$MA.xml");
  add("Upgrade_Rule", "https://fw.example.com/sip88xx.12-0-1MPP0001-245.loads");
  add("Resync_Periodic", "3600");
  add("Resync_Error_Retry_Delay", "60,120,240,480,960,1920,3840,7680,15360,30720,61440,86400");
  for (int line = 1; line <= 6; ++line) {
    std::string n = std::to_string(line);
    add(flat_profile::IndexedName("Proxy", line), "sip.example.com");
    add(flat_profile::IndexedName("Display_Name", line), "Front desk " + n);
    add(flat_profile::IndexedName("User_ID", line), "4420700" + n);
    add(flat_profile::IndexedName("Password", line), "w8!kQ2#zP" + n);
    add(flat_profile::IndexedName("Dial_Plan", line), "(*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.)");
  }
  return profile;
}

const flat_profile::FlatProfile& Profile() {
  static const flat_profile::FlatProfile* profile = new flat_profile::FlatProfile(TwoKibProfile());
  return *profile;
}

void BM_Render(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(flat_profile::Write(Profile()));
  state.counters["bytes"] = static_cast<double>(flat_profile::Write(Profile()).size());
}
BENCHMARK(BM_Render);

void BM_Gzip(benchmark::State& state) {
  GzipCompressor compressor(static_cast<int>(state.range(0)));
  const std::string xml = flat_profile::Write(Profile());
  size_t compressed = 0;
  for (auto _ : state) compressed = compressor.Compress(xml).size();
  state.counters["bytes"] = static_cast<double>(compressed);
}
BENCHMARK(BM_Gzip)->Arg(1)->Arg(6);

void BM_RenderGzipAes256Cbc(benchmark::State& state) {
  GzipCompressor compressor;
  for (auto _ : state) {
    std::string xml = flat_profile::Write(Profile());
    benchmark::DoNotOptimize(EncryptOpensslEnc(compressor.Compress(xml), "device-passphrase"));
  }
}
BENCHMARK(BM_RenderGzipAes256Cbc);

void BM_RenderGzipAes128Gcm(benchmark::State& state) {
  GzipCompressor compressor;
  for (auto _ : state) {
    std::string xml = flat_profile::Write(Profile());
    benchmark::DoNotOptimize(EncodeAes128Gcm(compressor.Compress(xml), "0123456789abcdef"));
  }
}
BENCHMARK(BM_RenderGzipAes128Gcm);

// The bare ciphers on 2 KiB, the size `openssl speed -bytes 2048` measures.
void BM_Aes256Cbc2KiB(benchmark::State& state) {
  const std::string block(2048, 'p');
  const CbcKey key = DeriveOpensslEncKey("k", {1, 2, 3, 4, 5, 6, 7, 8}, KeyDigest::kMd5);
  for (auto _ : state) benchmark::DoNotOptimize(EncryptAes256Cbc(block, key));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 2048);
}
BENCHMARK(BM_Aes256Cbc2KiB);

void BM_Aes128Gcm2KiB(benchmark::State& state) {
  const std::string block(2048, 'p');
  // One record holds the whole block, as openssl speed encrypts one buffer.
  for (auto _ : state) {
    benchmark::DoNotOptimize(EncodeAes128Gcm(block, "0123456789abcdef", {.record_size = 4096}));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 2048);
}
BENCHMARK(BM_Aes128Gcm2KiB);

}  // namespace
}  // namespace onramp::profile_crypto

BENCHMARK_MAIN();
