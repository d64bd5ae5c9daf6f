#ifndef ONRAMP_LIB_KIT_STORE_PAGE_TOKEN_H_
#define ONRAMP_LIB_KIT_STORE_PAGE_TOKEN_H_

// Keyset pagination's page tokens, opaque to callers: the position the
// next page starts after (the last row's key, or several parts joined) in
// base64url.
//
//   ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
//   ... WHERE key > $after ORDER BY key LIMIT page_size + 1 ...
//   next = store::PageTokenAfter(rows.back().key);

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace onramp::store {

std::string PageTokenAfter(std::string_view position);

// "" for no token (the first page); INVALID_ARGUMENT "page_token is not one
// this service issued" for a token that does not decode.
absl::StatusOr<std::string> PositionOf(std::string_view token);

// The error for a token that decodes to a position this store cannot use.
absl::Status NotAPageToken();

}  // namespace onramp::store

#endif  // ONRAMP_LIB_KIT_STORE_PAGE_TOKEN_H_
