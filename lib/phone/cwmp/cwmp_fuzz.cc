// Any bytes as a CWMP POST: read without crashing, and what is read is
// written and read again to the same RPC.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/phone/cwmp/cwmp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<onramp::cwmp::Envelope> envelope =
      onramp::cwmp::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!envelope.ok()) return 0;
  std::string written = onramp::cwmp::Write(*envelope);
  absl::StatusOr<onramp::cwmp::Envelope> again = onramp::cwmp::Parse(written);
  if (!again.ok() || again->body.index() != envelope->body.index()) __builtin_trap();
  return 0;
}
