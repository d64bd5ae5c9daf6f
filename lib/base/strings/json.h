#ifndef ONRAMP_LIB_BASE_STRINGS_JSON_H_
#define ONRAMP_LIB_BASE_STRINGS_JSON_H_

#include <string>
#include <string_view>

namespace onramp::strings {

// Appends `text` as a JSON string literal, quotes included, escaping what
// RFC 8259 requires (", \, and control characters).
void AppendJsonString(std::string* out, std::string_view text);

inline std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(&out, text);
  return out;
}

}  // namespace onramp::strings

#endif  // ONRAMP_LIB_BASE_STRINGS_JSON_H_
