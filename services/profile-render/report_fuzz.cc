// Fuzzes the reading of phones' reports: any body, plain or as if
// encrypted with a phone's key. Properties: nothing crashes; a report's
// parameter count matches its values; opening never yields more than the
// limit.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/profile-render/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onramp::profile;
  static const onramp::profile_crypto::DeviceKey key =
      *onramp::profile_crypto::DeviceKey::FromHex(std::string(64, 'a'));
  std::string_view body(reinterpret_cast<const char*>(data), size);
  ReportContents report = ReadReport(body);
  if (report.parameters < static_cast<int>(report.values.size())) std::abort();
  (void)UpgradeOutcomeOf(report);
  for (std::string_view encoding : {"aes128gcm", ""}) {
    if (!IsEncryptedReport(body, encoding)) continue;
    absl::StatusOr<std::string> opened = OpenReport(body, encoding, key, 4096);
    if (opened.ok() && opened->size() > 4096 && encoding == "aes128gcm") std::abort();
  }
  return 0;
}
