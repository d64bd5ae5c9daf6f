#include "lib/http/auth/authorization.h"

#include <openssl/rand.h>

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/digest/digest.h"
#include "lib/http/auth/auth_params.h"

namespace onramp::http_auth {

absl::StatusOr<std::string> Authorization(const std::string& challenges, const std::string& method,
                                          const std::string& uri, const std::string& user,
                                          const std::string& password) {
  bool basic = false;
  for (absl::string_view challenge : absl::StrSplit(challenges, '\n', absl::SkipEmpty())) {
    challenge = absl::StripAsciiWhitespace(challenge);
    if (absl::StartsWithIgnoreCase(challenge, "Basic")) basic = true;
    if (!absl::StartsWithIgnoreCase(challenge, "Digest ")) continue;
    std::map<std::string, std::string> p = ParseAuthParams(std::string_view(challenge.data() + 7, challenge.size() - 7));
    if (!p["algorithm"].empty() && !absl::EqualsIgnoreCase(p["algorithm"], "MD5")) continue;
    unsigned char random[8];
    RAND_bytes(random, sizeof random);
    std::string cnonce = absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(random), sizeof random));
    std::string ha1 = digest::Md5Hex(absl::StrCat(user, ":", p["realm"], ":", password));
    std::string ha2 = digest::Md5Hex(absl::StrCat(method, ":", uri));
    bool auth = absl::StrContains(p["qop"], "auth");
    std::string response =
        auth ? digest::Md5Hex(absl::StrCat(ha1, ":", p["nonce"], ":00000001:", cnonce, ":auth:", ha2))
             : digest::Md5Hex(absl::StrCat(ha1, ":", p["nonce"], ":", ha2));
    std::string header = absl::StrCat("Digest username=\"", user, "\", realm=\"", p["realm"], "\", nonce=\"",
                                      p["nonce"], "\", uri=\"", uri, "\", response=\"", response, "\", algorithm=MD5");
    if (auth) absl::StrAppend(&header, ", qop=auth, nc=00000001, cnonce=\"", cnonce, "\"");
    return header;
  }
  if (basic) return absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(user, ":", password)));
  return absl::InvalidArgumentError("no Basic or Digest challenge");
}

}  // namespace onramp::http_auth
