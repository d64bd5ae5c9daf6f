#include "lib/phone/flat_profile/flat_profile.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "lib/base/strings/strings.h"
#include "pugixml.hpp"

namespace onramp::flat_profile {
namespace {

// Line and column (1-based) of byte `offset` in `text`.
std::pair<int, int> Position(std::string_view text, size_t offset) {
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

absl::Status ErrorAt(std::string_view text, size_t offset, std::string_view message) {
  auto [line, column] = Position(text, offset);
  return absl::InvalidArgumentError(
      absl::StrCat("line ", line, ", column ", column, ": ", strings::ToAbsl(message)));
}

// Whether the start tag at `offset` ("<Name ...") closes itself ("/>"),
// skipping quoted attribute values.
bool SelfClosing(std::string_view text, size_t offset) {
  char quote = 0;
  for (size_t i = offset; i < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i > offset && text[i - 1] == '/';
    }
  }
  return false;
}

// Trimmed, with every line break (CRLF, CR or LF) folded to one space.
std::string NormaliseValue(std::string_view raw) {
  std::string value;
  std::string_view trimmed = strings::Trim(raw);
  value.reserve(trimmed.size());
  for (size_t i = 0; i < trimmed.size(); ++i) {
    char c = trimmed[i];
    if (c == '\r' && i + 1 < trimmed.size() && trimmed[i + 1] == '\n') continue;
    value.push_back(c == '\r' || c == '\n' ? ' ' : c);
  }
  return value;
}

void AppendEscaped(std::string* out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out->append("&amp;"); break;
      case '<': out->append("&lt;"); break;
      case '>': out->append("&gt;"); break;
      default: out->push_back(c);
    }
  }
}

}  // namespace

const Parameter* FlatProfile::Find(std::string_view name) const {
  for (const Parameter& parameter : parameters) {
    if (parameter.name == name) return &parameter;
  }
  return nullptr;
}

absl::StatusOr<ParseResult> Parse(std::string_view xml) {
  pugi::xml_document document;
  // No parse_eol: offsets must stay those of the input, for line:column.
  const unsigned options = pugi::parse_cdata | pugi::parse_escapes;
  pugi::xml_parse_result parsed =
      document.load_buffer(xml.data(), xml.size(), options, pugi::encoding_utf8);
  if (!parsed) {
    return ErrorAt(xml, static_cast<size_t>(parsed.offset), parsed.description());
  }
  pugi::xml_node root = document.document_element();
  if (root.empty()) return ErrorAt(xml, 0, "no root element");
  pugi::xml_node flat = root;
  if (std::string_view(root.name()) == "device") {
    flat = root.child("flat-profile");
    if (flat.empty()) return ErrorAt(xml, root.offset_debug(), "<device> holds no <flat-profile>");
  } else if (std::string_view(root.name()) != "flat-profile") {
    return ErrorAt(xml, root.offset_debug(),
                   absl::StrCat("root element <", root.name(),
                                "> is not <flat-profile> or <device>"));
  }

  ParseResult result;
  std::map<std::string, size_t, std::less<>> index;  // name -> position in parameters
  auto warn = [&](size_t offset, std::string message) {
    auto [line, column] = Position(xml, offset);
    result.warnings.push_back({line, column, std::move(message)});
  };
  for (pugi::xml_node node : flat.children()) {
    // pugixml points at the name; report the '<' before it.
    size_t offset = static_cast<size_t>(std::max<ptrdiff_t>(node.offset_debug() - 1, 0));
    if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
      if (!strings::Trim(node.value()).empty()) warn(offset, "text outside any parameter ignored");
      continue;
    }
    if (node.type() != pugi::node_element) continue;
    Parameter parameter;
    parameter.name = node.name();
    std::tie(parameter.line, parameter.column) = Position(xml, offset);
    for (pugi::xml_attribute attribute : node.attributes()) {
      std::string_view name = attribute.name();
      std::string_view value = attribute.value();
      if (name == "ua") {
        parameter.user_access = UserAccessFromName(value);
        if (!parameter.user_access) {
          return ErrorAt(xml, offset,
                         absl::StrCat("<", parameter.name, "> ua=\"", strings::ToAbsl(value),
                                      "\" is not na, ro or rw"));
        }
      } else if (name == "user-pref") {
        if (value == "y" || value == "Y") parameter.user_preference = true;
        else if (value == "n" || value == "N") parameter.user_preference = false;
        else {
          return ErrorAt(xml, offset,
                         absl::StrCat("<", parameter.name, "> user-pref=\"",
                                      strings::ToAbsl(value), "\" is not y or n"));
        }
      } else {
        warn(offset, absl::StrCat("<", parameter.name, "> attribute ", strings::ToAbsl(name),
                                  " ignored"));
      }
    }
    if (!SelfClosing(xml, offset)) {
      std::string text;
      for (pugi::xml_node child : node.children()) {
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
          text += child.value();
        } else if (child.type() == pugi::node_element) {
          warn(static_cast<size_t>(std::max<ptrdiff_t>(child.offset_debug() - 1, 0)),
               absl::StrCat("element inside <", parameter.name, "> ignored"));
        }
      }
      parameter.value = NormaliseValue(text);
      for (unsigned char c : *parameter.value) {
        if (c >= 0x80) {
          warn(offset, absl::StrCat("<", parameter.name, "> holds non-ASCII text, which phones do not show"));
          break;
        }
      }
    }
    auto found = index.find(parameter.name);
    if (found != index.end()) {
      const Parameter& earlier = result.profile.parameters[found->second];
      warn(offset, absl::StrCat("<", parameter.name, "> repeats line ", earlier.line,
                                "; the last one wins"));
      result.profile.parameters[found->second] = std::move(parameter);
    } else {
      index.emplace(parameter.name, result.profile.parameters.size());
      result.profile.parameters.push_back(std::move(parameter));
    }
  }
  return result;
}

std::string Write(const FlatProfile& profile, const WriteOptions& options) {
  std::string out;
  out.reserve(64 + profile.parameters.size() * 48);
  if (options.xml_declaration) out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  if (options.device_wrapper) out.append("<device>\n");
  out.append("<flat-profile>\n");
  for (const Parameter& parameter : profile.parameters) {
    out.append("  <").append(parameter.name);
    if (parameter.user_access.has_value()) {
      out.append(" ua=\"").append(UserAccessName(*parameter.user_access)).append("\"");
    }
    if (parameter.user_preference.has_value()) {
      out.append(*parameter.user_preference ? " user-pref=\"y\"" : " user-pref=\"n\"");
    }
    if (!parameter.value.has_value()) {
      out.append("/>\n");
      continue;
    }
    out.push_back('>');
    AppendEscaped(&out, *parameter.value);
    out.append("</").append(parameter.name).append(">\n");
  }
  out.append("</flat-profile>\n");
  if (options.device_wrapper) out.append("</device>\n");
  return out;
}

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    bool later = (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!(letter || (i > 0 && later))) return false;
  }
  // "xml..." names are reserved by XML itself.
  return !(name.size() >= 3 && strings::Lower(name.substr(0, 3)) == "xml");
}

bool IsSecretName(std::string_view name) {
  static constexpr std::string_view kSecrets[] = {"Password", "Passwd", "Secret", "Credential",
                                                  "IKM_HTTP_Encrypt_Content", "GPP_SA", "GPP_SB",
                                                  "GPP_SC", "GPP_SD"};
  for (std::string_view secret : kSecrets) {
    if (name.find(secret) != std::string_view::npos) return true;
  }
  return false;
}

std::string IndexedName(std::string_view base, int index) {
  return absl::StrCat(strings::ToAbsl(base), "_", index, "_");
}

std::string NameFromLabel(std::string_view label) {
  std::string name(label);
  for (char& c : name) {
    if (c == ' ' || c == '[' || c == ']' || c == '(' || c == ')' || c == '/') c = '_';
  }
  return name;
}

std::string_view UserAccessName(UserAccess access) {
  switch (access) {
    case UserAccess::kNone: return "na";
    case UserAccess::kReadOnly: return "ro";
    case UserAccess::kReadWrite: return "rw";
  }
  return "na";
}

std::optional<UserAccess> UserAccessFromName(std::string_view name) {
  for (UserAccess access : {UserAccess::kNone, UserAccess::kReadOnly, UserAccess::kReadWrite}) {
    if (UserAccessName(access) == name) return access;
  }
  return std::nullopt;
}

}  // namespace onramp::flat_profile
