#ifndef ONRAMP_LIB_KIT_VALIDATION_FIELDS_H_
#define ONRAMP_LIB_KIT_VALIDATION_FIELDS_H_

// Checks of request fields. Each error is INVALID_ARGUMENT naming `field`
// (e.g. "devices[7].mac") and the rule broken.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

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
