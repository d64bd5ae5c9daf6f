// Fuzzes application/x-www-form-urlencoded and %-escapes. Properties:
// nothing crashes; a form that parses encodes to one that parses back the
// same.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/base/strings/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onramp::strings;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)PercentDecode(text);
  absl::StatusOr<std::map<std::string, std::string>> form = ParseForm(text);
  if (!form.ok()) return 0;
  std::vector<std::pair<std::string, std::string>> fields(form->begin(), form->end());
  absl::StatusOr<std::map<std::string, std::string>> again = ParseForm(EncodeForm(fields));
  if (!again.ok()) std::abort();
  // An empty name is the one thing that may not come back the same.
  form->erase("");
  again->erase("");
  if (*again != *form) std::abort();
  return 0;
}
