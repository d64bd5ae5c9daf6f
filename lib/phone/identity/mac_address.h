#ifndef ONRAMP_LIB_PHONE_IDENTITY_MAC_ADDRESS_H_
#define ONRAMP_LIB_PHONE_IDENTITY_MAC_ADDRESS_H_

// A phone's MAC address, held in the $MA form (12 lowercase hex digits).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace onramp::identity {

class MacAddress {
 public:
  // Accepts exactly the spellings phones and barcode scanners produce:
  //   "00562b043615" (any case), "00:56:2B:04:36:15", "0056.2b04.3615".
  // Anything else is INVALID_ARGUMENT naming the input.
  static absl::StatusOr<MacAddress> Parse(std::string_view text);

  static MacAddress FromBytes(const std::array<uint8_t, 6>& bytes) { return MacAddress(bytes); }

  // $MA: "00562b043615".
  std::string Lower() const;
  // $MAU: "00562B043615".
  std::string Upper() const;
  // $MAC: "00:56:2b:04:36:15".
  std::string WithColons() const;

  const std::array<uint8_t, 6>& bytes() const { return bytes_; }

  friend bool operator==(const MacAddress&, const MacAddress&) = default;
  friend auto operator<=>(const MacAddress&, const MacAddress&) = default;

 private:
  explicit MacAddress(const std::array<uint8_t, 6>& bytes) : bytes_(bytes) {}

  std::array<uint8_t, 6> bytes_;
};

}  // namespace onramp::identity

#endif  // ONRAMP_LIB_PHONE_IDENTITY_MAC_ADDRESS_H_
