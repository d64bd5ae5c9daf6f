// Fuzzes the <flat-profile> reader. Properties: nothing crashes, and what
// it reads writes out to XML that reads back the same.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/phone/flat_profile/flat_profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onramp::flat_profile;
  absl::StatusOr<ParseResult> parsed =
      Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok()) return 0;
  // Names the writer cannot express (pugixml accepts a few more characters
  // than IsValidName) are outside the round-trip promise.
  for (const Parameter& parameter : parsed->profile.parameters) {
    if (!IsValidName(parameter.name)) return 0;
    if (parameter.value && parameter.value->find_first_of("\t") != std::string::npos) return 0;
  }
  absl::StatusOr<ParseResult> again = Parse(Write(parsed->profile));
  if (!again.ok() || !(again->profile == parsed->profile)) std::abort();
  return 0;
}
