#ifndef ONRAMP_LIB_KIT_VALIDATION_FIELDS_H_
#define ONRAMP_LIB_KIT_VALIDATION_FIELDS_H_

// Checks of request fields. Each error is INVALID_ARGUMENT naming `field`
// (e.g. "devices[7].mac") and the rule broken.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace onramp::validation {

enum class Presence { kRequired, kOptional };

// 1..max of [A-Za-z0-9._-]: partner ids, models, names.
absl::Status Name(const std::string& field, const std::string& value, size_t max,
                  Presence presence = Presence::kRequired);

// 1..max printable ASCII characters.
absl::Status Text(const std::string& field, const std::string& value, size_t max,
                  Presence presence = Presence::kRequired);

// A MAC in any accepted spelling; returns the $MA form ("" when optional
// and absent).
absl::StatusOr<std::string> Mac(const std::string& field, const std::string& value,
                                Presence presence = Presence::kRequired);

// More than `max` items in the list `field`.
absl::Status TooMany(const std::string& field, size_t max);

// Each MAC of `macs` (a list whose items have .value(), e.g. a repeated
// common.v1.MacAddress) in the $MA form; over `max` of them is an error
// naming `field`, a bad one names "<field>[i]".
template <typename MacList>
absl::StatusOr<std::vector<std::string>> Macs(const std::string& field, const MacList& macs, size_t max) {
  if (static_cast<size_t>(macs.size()) > max) return TooMany(field, max);
  std::vector<std::string> checked;
  checked.reserve(macs.size());
  for (int i = 0; i < static_cast<int>(macs.size()); ++i) {
    absl::StatusOr<std::string> mac = Mac(absl::StrCat(field, "[", i, "]"), macs[i].value());
    if (!mac.ok()) return mac.status();
    checked.push_back(*std::move(mac));
  }
  return checked;
}

// A UUID as PostgreSQL prints it.
absl::Status Uuid(const std::string& field, const std::string& value);

// The page size a List call uses for PageRequest.page_size `requested`: 0
// means 100; outside 0..1000 is an error naming page.page_size.
absl::StatusOr<int> PageSize(int requested);

// A store's INVALID_ARGUMENT about the page token it was given, as an error
// naming page.page_token; any other status unchanged.
absl::Status PageTokenError(const absl::Status& status);

}  // namespace onramp::validation

#endif  // ONRAMP_LIB_KIT_VALIDATION_FIELDS_H_
