#ifndef ONRAMP_SERVICES_PROFILE_RENDER_RENDER_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_RENDER_H_

// Rendering one phone's profile, purely: the same inputs always give the
// same bytes and ETag.
//
//   1. merge layers global < model < partner (later wins per parameter);
//   2. apply the partner's template (its parameters win over those layers
//      and may read them);
//   3. merge site < device on top;
//   4. expand server-side macros ($MA, $PN, ...) in values, except in the
//      parameters the phone expands itself (rules, triggers, log messages);
//   5. write the <flat-profile>, gzip if asked, encrypt if asked or if it
//      holds secrets and the channel does not authenticate the phone.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/identity/mac_address.h"
#include "lib/phone/profile_crypto/device_key.h"

namespace onramp::profile {

// In merge order. kModel is the operator's layer for a model; kPartnerModel
// a partner's for its phones of a model (stored as scope "model" with the
// partner's name).
enum class Scope { kGlobal, kModel, kPartner, kPartnerModel, kSite, kDevice };

struct LayerParameter {
  std::string name;
  std::string value;
  std::optional<flat_profile::UserAccess> user_access;
  bool secret = false;
  friend bool operator==(const LayerParameter&, const LayerParameter&) = default;
};

struct Layer {
  Scope scope = Scope::kGlobal;
  std::vector<LayerParameter> parameters;
};

struct DeviceFacts {
  identity::MacAddress mac = identity::MacAddress::FromBytes({});
  std::string model;
  std::string serial;
  std::string firmware;
  std::string partner;
  std::string site;
  std::string source_address;
};

enum class Encryption { kNone, kAes256Cbc, kAes128Gcm };

struct RenderInput {
  std::vector<Layer> layers;            // any order
  std::string template_text;            // empty: none
  DeviceFacts device;
  bool gzip = false;
  // How to encrypt when encryption applies, and the device's key.
  Encryption encryption = Encryption::kAes256Cbc;
  std::optional<profile_crypto::DeviceKey> key;
  std::string key_id;
  // Encrypt even without secrets (the partner asked for it).
  bool always_encrypt = false;
  // The phone is authenticated (mTLS): secrets may travel unencrypted.
  bool authenticated_channel = false;
  // The model's parameter names, when the operator loaded them: anything
  // else is left out of the profile (the phone would ignore it) and listed
  // in Rendered::dropped.
  std::optional<std::set<std::string, std::less<>>> model_parameters;
};

struct Rendered {
  std::string body;
  std::string content_type;      // application/xml or application/octet-stream
  std::string content_encoding;  // "aes128gcm" or ""
  std::string etag;              // quoted, strong
  std::string xml;               // the plain flat-profile
  std::vector<LayerParameter> parameters;  // merged, macros expanded
  bool has_secrets = false;
  Encryption encryption = Encryption::kNone;
  std::string key_id;  // of the key encrypted with; set by the caller
  std::vector<std::string> dropped;  // names the model does not have
};

// The merged parameters, steps 1-4.
absl::StatusOr<std::vector<LayerParameter>> MergeParameters(const RenderInput& input);

// FAILED_PRECONDITION when the profile holds secrets, the channel is not
// authenticated and there is no device key to encrypt with.
absl::StatusOr<Rendered> Render(const RenderInput& input);

// INVALID_ARGUMENT naming the problem (with line/column where it applies)
// if `text` is not a Mustache template producing flat-profile elements.
absl::Status ValidateTemplate(const std::string& text);

// Whether the phone refuses or mangles this parameter, checked at PutLayer:
// INVALID_ARGUMENT naming `field`.
absl::Status ValidateParameter(const std::string& field, const LayerParameter& parameter);

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_RENDER_H_
