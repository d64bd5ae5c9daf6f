#ifndef ONRAMP_LIB_PHONE_FIRMWARE_VERSION_FIRMWARE_VERSION_H_
#define ONRAMP_LIB_PHONE_FIRMWARE_VERSION_FIRMWARE_VERSION_H_

// Firmware names as the vendor writes them:
//   sip88xx.11-2-3MPP-398.loads     family sip88xx, release 11.2(3), build 398
//   sip88xx.11-2-3MSR1-1.loads      service release 1 of 11.2(3), build 1
//   sip68xx.12-0-1MPP0001-245.loads
// A version is MAJOR-MINOR-MICRO, a release tag (letters, then optional
// digits: "MPP", "MSR1", "MPP0001") and, after a dash, a build number.
//
// Order (the vendor's release order, as far as its names show it):
//   1. major, minor, micro numerically;
//   2. the tag's kind: MPP (a release) before MSR (a service release of it),
//      other letters after both, alphabetically;
//   3. the tag's number numerically (absent = 0), so MPP < MPP0001 and
//      MSR1 < MSR2 < MSR10;
//   4. the build number numerically.
// Hence 11-2-3MPP-398 < 11-2-3MSR1-1 < 11-3-1MPP-100 < 12-0-1MPP0001-245.
// The family (sip88xx) is not part of the order: a phone only runs its own.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace onramp::firmware_version {

struct Version {
  int64_t major = 0;
  int64_t minor = 0;
  int64_t micro = 0;
  std::string tag_kind;  // "MPP", "MSR", ...
  int64_t tag_number = 0;
  int tag_number_width = 0;  // digits as written ("0001" is 4), for printing
  int64_t build = 0;

  // "11-2-3MSR1-1".
  std::string ToString() const;

  friend std::strong_ordering operator<=>(const Version& a, const Version& b);
  friend bool operator==(const Version& a, const Version& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }
};

// "11-2-3MSR1-1" or the whole "sip88xx.11-2-3MSR1-1" / ".loads" file name.
absl::StatusOr<Version> ParseVersion(std::string_view text);

struct FirmwareName {
  std::string family;  // "sip88xx"
  Version version;
  std::string extension;  // "loads", or empty
};

// "sip88xx.11-2-3MSR1-1.loads" (or without ".loads", as $SWVER reads).
absl::StatusOr<FirmwareName> ParseFirmwareName(std::string_view text);

}  // namespace onramp::firmware_version

#endif  // ONRAMP_LIB_PHONE_FIRMWARE_VERSION_FIRMWARE_VERSION_H_
