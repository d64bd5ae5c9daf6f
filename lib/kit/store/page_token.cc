#include "lib/kit/store/page_token.h"

#include "absl/strings/escaping.h"

namespace onramp::store {

std::string PageTokenAfter(std::string_view position) {
  return absl::WebSafeBase64Escape(absl::string_view(position.data(), position.size()));
}

absl::StatusOr<std::string> PositionOf(std::string_view token) {
  std::string position;
  if (!token.empty() && !absl::WebSafeBase64Unescape(absl::string_view(token.data(), token.size()), &position)) {
    return NotAPageToken();
  }
  return position;
}

absl::Status NotAPageToken() { return absl::InvalidArgumentError("page_token is not one this service issued"); }

}  // namespace onramp::store
