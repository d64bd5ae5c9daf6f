#ifndef ONRAMP_SERVICES_GATEWAY_BYTE_RANGE_H_
#define ONRAMP_SERVICES_GATEWAY_BYTE_RANGE_H_

// The Range request header (RFC 9110 §14) for downloads of a known size.
// Only a single byte range is honoured; a list of several is answered
// with the whole body, which the RFC allows and phones never ask for.

#include <cstdint>
#include <string_view>

namespace onramp::gateway {

struct ByteRange {
  int64_t offset = 0;
  int64_t length = 0;
};

enum class RangeKind {
  kWhole,          // no usable Range: 200 with everything
  kPartial,        // 206 with `range`
  kUnsatisfiable,  // 416 with "Content-Range: bytes */<size>"
};

struct RangeAnswer {
  RangeKind kind = RangeKind::kWhole;
  ByteRange range;
};

// `header` is the Range value, or empty when absent. Syntax errors and
// units other than bytes are ignored, as the RFC asks.
RangeAnswer ResolveRange(std::string_view header, int64_t size);

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_BYTE_RANGE_H_
