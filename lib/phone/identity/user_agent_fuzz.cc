// Fuzzes the User-Agent and MAC parsers. Properties: nothing crashes, and a
// parsed User-Agent formats to text that parses back the same.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/phone/identity/user_agent.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onramp::identity;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)MacAddress::Parse(text);
  absl::StatusOr<UserAgent> agent = ParseUserAgent(text);
  if (!agent.ok()) return 0;
  absl::StatusOr<UserAgent> again = ParseUserAgent(FormatUserAgent(*agent));
  if (!again.ok() || !(*again == *agent)) std::abort();
  return 0;
}
