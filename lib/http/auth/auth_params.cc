#include "lib/http/auth/auth_params.h"

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace onramp::http_auth {

std::map<std::string, std::string> ParseAuthParams(std::string_view text) {
  std::map<std::string, std::string> parameters;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    size_t equals = text.find('=', i);
    if (equals == std::string_view::npos) break;
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(absl::string_view(text.data() + i, equals - i)));
    i = equals + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i];
      }
      ++i;
    } else {
      size_t end = text.find(',', i);
      if (end == std::string_view::npos) end = text.size();
      value = std::string(absl::StripAsciiWhitespace(absl::string_view(text.data() + i, end - i)));
      i = end;
    }
    parameters[name] = value;
  }
  return parameters;
}

}  // namespace onramp::http_auth
