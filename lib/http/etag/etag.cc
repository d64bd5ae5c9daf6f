#include "lib/http/etag/etag.h"

namespace onramp::http_etag {
namespace {

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The opaque tag without its weakness marker: W/"x" and "x" are "x".
std::string_view Opaque(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

bool NoneMatchFails(std::string_view if_none_match, std::string_view etag) {
  if (etag.empty()) return false;
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view candidate = Trimmed(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (candidate == "*" || (!candidate.empty() && Opaque(candidate) == Opaque(etag))) return true;
  }
  return false;
}

}  // namespace onramp::http_etag
