#include "lib/kit/validation/fields.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/kit/status/error_detail.h"
#include "lib/phone/identity/mac_address.h"

namespace onramp::validation {
namespace {

using status::InvalidField;

absl::Status Missing(const std::string& field) {
  return InvalidField(field, absl::StrCat(field, " is required"));
}

absl::Status TooLong(const std::string& field, size_t max) {
  return InvalidField(field, absl::StrCat(field, " is longer than ", max, " characters"));
}

}  // namespace

absl::Status Name(const std::string& field, const std::string& value, size_t max,
                  Presence presence) {
  if (value.empty()) return presence == Presence::kRequired ? Missing(field) : absl::OkStatus();
  if (value.size() > max) return TooLong(field, max);
  for (char c : value) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return InvalidField(field, absl::StrCat(field, " may hold only letters, digits, . _ -"));
    }
  }
  return absl::OkStatus();
}

absl::Status Text(const std::string& field, const std::string& value, size_t max,
                  Presence presence) {
  if (value.empty()) return presence == Presence::kRequired ? Missing(field) : absl::OkStatus();
  if (value.size() > max) return TooLong(field, max);
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) {
      return InvalidField(field, absl::StrCat(field, " holds a non-printable character"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Mac(const std::string& field, const std::string& value,
                                Presence presence) {
  if (value.empty()) {
    if (presence == Presence::kRequired) return Missing(field);
    return std::string();
  }
  absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(value);
  if (!mac.ok()) return InvalidField(field, std::string(mac.status().message()));
  return mac->Lower();
}

absl::Status TooMany(const std::string& field, size_t max) {
  return InvalidField(field, absl::StrCat("at most ", max, " MACs at once"));
}

absl::Status Uuid(const std::string& field, const std::string& value) {
  static constexpr char kShape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
  bool valid = value.size() == sizeof kShape - 1;
  for (size_t i = 0; valid && i < value.size(); ++i) {
    valid = kShape[i] == '-' ? value[i] == '-'
                             : absl::ascii_isxdigit(static_cast<unsigned char>(value[i]));
  }
  return valid ? absl::OkStatus() : InvalidField(field, absl::StrCat(field, " is not a UUID"));
}

absl::StatusOr<int> PageSize(int requested) {
  if (requested < 0 || requested > 1000) {
    return status::InvalidField("page.page_size", "page.page_size must be in 0..1000");
  }
  return requested == 0 ? 100 : requested;
}

absl::Status PageTokenError(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) return status;
  return status::InvalidField("page.page_token", std::string(status.message()));
}

}  // namespace onramp::validation
