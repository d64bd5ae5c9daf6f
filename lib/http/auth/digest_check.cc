#include "lib/http/auth/digest_check.h"

#include <openssl/crypto.h>

#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/digest/digest.h"
#include "lib/http/auth/auth_params.h"

namespace onramp::http_auth {
namespace {

constexpr absl::string_view kNoncePurpose = "digest-nonce ";

bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Nonce(const profile_crypto::Sealer& sealer, absl::Time now) {
  return absl::WebSafeBase64Escape(sealer.Seal(absl::StrCat(kNoncePurpose, absl::ToUnixSeconds(now))));
}

// The time a nonce of ours was made, or nullopt when it is not one.
std::optional<absl::Time> NonceTime(const profile_crypto::Sealer& sealer, std::string_view nonce) {
  std::string sealed;
  if (!absl::WebSafeBase64Unescape(absl::string_view(nonce.data(), nonce.size()), &sealed)) return std::nullopt;
  absl::StatusOr<std::string> opened = sealer.Open(sealed);
  int64_t seconds = 0;
  if (!opened.ok() || !absl::StartsWith(*opened, kNoncePurpose) ||
      !absl::SimpleAtoi(absl::string_view(*opened).substr(kNoncePurpose.size()), &seconds)) {
    return std::nullopt;
  }
  return absl::FromUnixSeconds(seconds);
}

AuthCheck CheckBasic(const HttpAuthSettings& settings, std::string_view credentials) {
  std::string decoded;
  if (!absl::Base64Unescape(absl::StripAsciiWhitespace(absl::string_view(credentials.data(), credentials.size())),
                            &decoded)) {
    return AuthCheck::kRefused;
  }
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return AuthCheck::kRefused;
  std::string_view username(decoded.data(), colon);
  std::string_view password(decoded.data() + colon + 1, decoded.size() - colon - 1);
  bool accepted = SameText(username, settings.username) & SameText(Ha1(username, settings.realm, password), settings.ha1);
  return accepted ? AuthCheck::kAccepted : AuthCheck::kRefused;
}

AuthCheck CheckDigest(const HttpAuthSettings& settings, std::string_view text, std::string_view method,
                      std::string_view uri, const profile_crypto::Sealer& sealer, absl::Time now) {
  std::map<std::string, std::string> p = ParseAuthParams(text);
  if (p["username"] != settings.username || p["realm"] != settings.realm || p["uri"] != uri) return AuthCheck::kRefused;
  if (!p["algorithm"].empty() && !absl::EqualsIgnoreCase(p["algorithm"], "MD5")) return AuthCheck::kRefused;
  std::string ha2 = digest::Md5Hex(absl::StrCat(std::string(method), ":", std::string(uri)));
  std::string expected;
  if (p["qop"] == "auth") {
    expected = digest::Md5Hex(absl::StrCat(settings.ha1, ":", p["nonce"], ":", p["nc"], ":", p["cnonce"], ":auth:", ha2));
  } else if (p["qop"].empty()) {
    expected = digest::Md5Hex(absl::StrCat(settings.ha1, ":", p["nonce"], ":", ha2));  // RFC 2069 clients
  } else {
    return AuthCheck::kRefused;
  }
  if (!SameText(expected, absl::AsciiStrToLower(p["response"]))) return AuthCheck::kRefused;
  // The right password on an old or foreign nonce: ask again with a fresh one.
  std::optional<absl::Time> made = NonceTime(sealer, p["nonce"]);
  if (!made) return AuthCheck::kRefused;
  if (now - *made > kNonceLifetime || *made > now + absl::Minutes(1)) return AuthCheck::kStale;
  return AuthCheck::kAccepted;
}

}  // namespace

std::string Ha1(std::string_view username, std::string_view realm, std::string_view password) {
  return digest::Md5Hex(absl::StrCat(std::string(username), ":", std::string(realm), ":", std::string(password)));
}

AuthCheck CheckAuthorization(const HttpAuthSettings& settings, std::string_view authorization,
                             std::string_view method, std::string_view uri, const profile_crypto::Sealer& sealer,
                             absl::Time now) {
  size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return AuthCheck::kRefused;
  std::string scheme = absl::AsciiStrToLower(absl::string_view(authorization.data(), space));
  std::string_view rest = authorization.substr(space + 1);
  if (scheme == "basic") return CheckBasic(settings, rest);
  if (scheme == "digest") return CheckDigest(settings, rest, method, uri, sealer, now);
  return AuthCheck::kRefused;
}

std::vector<std::string> Challenges(const HttpAuthSettings& settings, const profile_crypto::Sealer& sealer,
                                    absl::Time now, bool stale) {
  return {absl::StrCat("Digest realm=\"", settings.realm, "\", qop=\"auth\", algorithm=MD5, nonce=\"",
                       Nonce(sealer, now), "\"", stale ? ", stale=true" : ""),
          absl::StrCat("Basic realm=\"", settings.realm, "\"")};
}

}  // namespace onramp::http_auth
