#include "services/profile-render/render.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kainjow/mustache.hpp"
#include "lib/base/digest/digest.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_macros.h"
#include "lib/phone/identity/product.h"
#include "lib/phone/macro/macro.h"
#include "lib/phone/profile_crypto/aes128gcm.h"
#include "lib/phone/profile_crypto/gzip.h"
#include "lib/phone/profile_crypto/openssl_enc.h"

namespace onramp::profile {
namespace {

// Parameters whose $macros the phone expands itself, at resync time.
bool PhoneExpands(const std::string& name) {
  return name.starts_with("Profile_Rule") || name.starts_with("Upgrade_Rule") ||
         name.starts_with("Report_Rule") || name.starts_with("Resync_Trigger_") ||
         (name.starts_with("Log_") && name.ends_with("_Msg"));
}

void MergeInto(std::map<std::string, LayerParameter>& merged,
               const std::vector<LayerParameter>& parameters) {
  for (const LayerParameter& parameter : parameters) {
    LayerParameter& slot = merged[parameter.name];
    bool was_secret = slot.secret;
    slot = parameter;
    // Once secret in any layer, always secret: a higher layer cannot
    // unmask what a lower one protected.
    slot.secret = slot.secret || was_secret || flat_profile::IsSecretName(parameter.name);
  }
}

kainjow::mustache::data TemplateData(const DeviceFacts& device,
                                     const std::map<std::string, LayerParameter>& merged) {
  kainjow::mustache::data data;
  data.set("mac", device.mac.Lower());
  data.set("mac_colons", device.mac.WithColons());
  data.set("model", device.model);
  data.set("serial", device.serial);
  data.set("partner", device.partner);
  data.set("site", device.site);
  data.set("firmware", device.firmware);
  for (const auto& [name, parameter] : merged) data.set(name, parameter.value);
  return data;
}

absl::StatusOr<std::vector<LayerParameter>> TemplateParameters(const std::string& text,
                                                               const kainjow::mustache::data& data) {
  kainjow::mustache::mustache compiled(text);
  if (!compiled.is_valid()) {
    return status::InvalidField("template", absl::StrCat("template: ", compiled.error_message()));
  }
  std::string xml = absl::StrCat("<flat-profile>\n", compiled.render(data), "\n</flat-profile>");
  absl::StatusOr<flat_profile::ParseResult> parsed = flat_profile::Parse(xml);
  if (!parsed.ok()) {
    return status::InvalidField(
        "template", absl::StrCat("template does not give flat-profile elements: ",
                                 parsed.status().message()));
  }
  std::vector<LayerParameter> parameters;
  for (const flat_profile::Parameter& p : parsed->profile.parameters) {
    parameters.push_back({p.name, p.value.value_or(""), p.user_access, false});
  }
  return parameters;
}

// Salt from HMAC(key, plaintext): identical profiles encrypt identically
// (so ETags hold), different ones never share a salt.
template <size_t N>
std::array<uint8_t, N> DeterministicSalt(const profile_crypto::DeviceKey& key,
                                         std::string_view plaintext) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
       reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), mac, &size);
  std::array<uint8_t, N> salt;
  std::copy_n(mac, N, salt.begin());
  return salt;
}

macro::Variables Variables(const DeviceFacts& device) {
  macro::Variables variables;
  variables.mac = device.mac;
  variables.product_name = device.model;
  variables.product_series = std::string(identity::ProductSeries(device.model));
  variables.serial = device.serial;
  variables.software_version = device.firmware;
  variables.ip = device.source_address;
  return variables;
}

}  // namespace

absl::Status ValidateParameter(const std::string& field, const LayerParameter& parameter) {
  if (!flat_profile::IsValidName(parameter.name) || parameter.name.size() > 128) {
    return status::InvalidField(field + ".name",
                                absl::StrCat("parameter name \"", parameter.name,
                                             "\" is not a flat-profile element name"));
  }
  if (parameter.value.size() > flat_profile::kMaxValueLength) {
    return status::InvalidField(field + ".value", absl::StrCat(parameter.name, " is longer than ",
                                                               flat_profile::kMaxValueLength, " characters"));
  }
  for (char c : parameter.value) {
    // Phones read ASCII only and fold newlines to spaces.
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
      return status::InvalidField(
          field + ".value", absl::StrCat(parameter.name, " holds a character phones cannot show"));
    }
  }
  if (parameter.value != std::string(absl::StripAsciiWhitespace(parameter.value))) {
    return status::InvalidField(field + ".value",
                                absl::StrCat(parameter.name, " has leading or trailing spaces, "
                                             "which phones drop"));
  }
  return absl::OkStatus();
}

absl::Status ValidateTemplate(const std::string& text) {
  DeviceFacts sample;
  sample.mac = *identity::MacAddress::Parse("000e08aabbcc");
  sample.model = "CP-8851-3PCC";
  sample.serial = "FCH0000TEST";
  sample.partner = "partner";
  sample.site = "site";
  return TemplateParameters(text, TemplateData(sample, {})).status();
}

absl::StatusOr<std::vector<LayerParameter>> MergeParameters(const RenderInput& input) {
  std::vector<const Layer*> ordered;
  for (const Layer& layer : input.layers) ordered.push_back(&layer);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Layer* a, const Layer* b) { return a->scope < b->scope; });
  std::map<std::string, LayerParameter> merged;
  auto it = ordered.begin();
  for (; it != ordered.end() && (*it)->scope <= Scope::kPartnerModel; ++it) {
    MergeInto(merged, (*it)->parameters);
  }
  if (!input.template_text.empty()) {
    ASSIGN_OR_RETURN(std::vector<LayerParameter> computed,
                     TemplateParameters(input.template_text, TemplateData(input.device, merged)));
    MergeInto(merged, computed);
  }
  for (; it != ordered.end(); ++it) MergeInto(merged, (*it)->parameters);

  const macro::Variables variables = Variables(input.device);
  std::vector<LayerParameter> result;
  result.reserve(merged.size());
  for (auto& [name, parameter] : merged) {
    if (!PhoneExpands(name)) parameter.value = macro::Expand(parameter.value, variables);
    result.push_back(std::move(parameter));
  }
  return result;
}

absl::StatusOr<Rendered> Render(const RenderInput& input) {
  Rendered rendered;
  ASSIGN_OR_RETURN(std::vector<LayerParameter> merged, MergeParameters(input));
  for (LayerParameter& parameter : merged) {
    if (input.model_parameters && !input.model_parameters->contains(parameter.name)) {
      rendered.dropped.push_back(parameter.name);
    } else {
      rendered.parameters.push_back(std::move(parameter));
    }
  }
  flat_profile::FlatProfile profile;
  for (const LayerParameter& parameter : rendered.parameters) {
    rendered.has_secrets = rendered.has_secrets || parameter.secret;
    profile.parameters.push_back(
        {.name = parameter.name, .value = parameter.value, .user_access = parameter.user_access});
  }
  rendered.xml = flat_profile::Write(profile);
  std::string body = input.gzip ? profile_crypto::Gzip(rendered.xml) : rendered.xml;
  bool encrypt = input.always_encrypt || (rendered.has_secrets && !input.authenticated_channel);
  if (encrypt && (!input.key.has_value() || input.encryption == Encryption::kNone)) {
    return absl::FailedPreconditionError(
        "profile holds secrets but the phone has no key and the channel is not authenticated");
  }
  if (encrypt) {
    rendered.encryption = input.encryption;
    if (input.encryption == Encryption::kAes256Cbc) {
      body = profile_crypto::EncryptOpensslEnc(body, input.key->Passphrase(),
                                               profile_crypto::KeyDigest::kMd5,
                                               DeterministicSalt<8>(*input.key, body));
    } else {
      ASSIGN_OR_RETURN(body, profile_crypto::EncodeAes128Gcm(
                                 body, input.key->Ikm(),
                                 {.keyid = input.key_id, .salt = DeterministicSalt<16>(*input.key, body)}));
      rendered.content_encoding = "aes128gcm";
    }
  }
  rendered.content_type = encrypt || input.gzip ? "application/octet-stream" : "application/xml";
  rendered.etag = absl::StrCat("\"", digest::Sha256Hex(body, 16), "\"");
  rendered.body = std::move(body);
  return rendered;
}

}  // namespace onramp::profile
