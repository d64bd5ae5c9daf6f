#ifndef ONRAMP_LIB_PHONE_IDENTITY_PRODUCT_H_
#define ONRAMP_LIB_PHONE_IDENTITY_PRODUCT_H_

// A phone's product series, the $PSN macro: its product name ($PN) without
// the maker's "CP-" (CP-8851-3PCC: 8851-3PCC), as factory-default file
// names ($PSN.xml) and rules use it.

#include <string_view>

namespace onramp::identity {

inline std::string_view ProductSeries(std::string_view product_name) {
  constexpr std::string_view kMakerPrefix = "CP-";
  return product_name.starts_with(kMakerPrefix) ? product_name.substr(kMakerPrefix.size()) : product_name;
}

}  // namespace onramp::identity

#endif  // ONRAMP_LIB_PHONE_IDENTITY_PRODUCT_H_
