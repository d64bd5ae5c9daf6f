#ifndef ONRAMP_LIB_KIT_STORE_ARRAYS_H_
#define ONRAMP_LIB_KIT_STORE_ARRAYS_H_

// PostgreSQL array literals for passing many values as one parameter
// ("SELECT ... FROM unnest($1::text[])"), so a batch is one statement.

#include <string>
#include <vector>

namespace onramp::store {

// {"a","b\"c"}: every element quoted, " and \ escaped.
std::string TextArray(const std::vector<std::string>& items);

}  // namespace onramp::store

#endif  // ONRAMP_LIB_KIT_STORE_ARRAYS_H_
