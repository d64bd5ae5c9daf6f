#ifndef ONRAMP_LIB_HTTP_ETAG_ETAG_H_
#define ONRAMP_LIB_HTTP_ETAG_ETAG_H_

// If-None-Match as RFC 9110 §13.1.2 has it, once for every route that
// answers 304 (profiles and firmware): the header is "*" or a list of
// entity tags, compared weakly (W/"x" and "x" match).

#include <string_view>

namespace onramp::http_etag {

// Whether `if_none_match` (the header's value, empty when absent) matches
// `etag` (a quoted entity tag, weak or strong): then the answer is 304.
bool NoneMatchFails(std::string_view if_none_match, std::string_view etag);

}  // namespace onramp::http_etag

#endif  // ONRAMP_LIB_HTTP_ETAG_ETAG_H_
