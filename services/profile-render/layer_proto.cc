#include "services/profile-render/layer_proto.h"

#include <string>

#include "lib/kit/proto/messages.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"

namespace onramp::profile {

using status::InvalidField;

std::optional<flat_profile::UserAccess> FromProto(v1::UserAccess ua) {
  switch (ua) {
    case v1::USER_ACCESS_NA: return flat_profile::UserAccess::kNone;
    case v1::USER_ACCESS_RO: return flat_profile::UserAccess::kReadOnly;
    case v1::USER_ACCESS_RW: return flat_profile::UserAccess::kReadWrite;
    default: return std::nullopt;
  }
}

v1::UserAccess ToProto(const std::optional<flat_profile::UserAccess>& ua) {
  if (!ua) return v1::USER_ACCESS_UNSPECIFIED;
  switch (*ua) {
    case flat_profile::UserAccess::kNone: return v1::USER_ACCESS_NA;
    case flat_profile::UserAccess::kReadOnly: return v1::USER_ACCESS_RO;
    case flat_profile::UserAccess::kReadWrite: return v1::USER_ACCESS_RW;
  }
  return v1::USER_ACCESS_UNSPECIFIED;
}

std::optional<Scope> FromProto(v1::Scope scope) {
  switch (scope) {
    case v1::SCOPE_GLOBAL: return Scope::kGlobal;
    case v1::SCOPE_MODEL: return Scope::kModel;
    case v1::SCOPE_PARTNER: return Scope::kPartner;
    case v1::SCOPE_SITE: return Scope::kSite;
    case v1::SCOPE_DEVICE: return Scope::kDevice;
    default: return std::nullopt;
  }
}

v1::Scope ToProto(Scope scope) {
  switch (scope) {
    case Scope::kGlobal: return v1::SCOPE_GLOBAL;
    case Scope::kModel:
    case Scope::kPartnerModel: return v1::SCOPE_MODEL;
    case Scope::kPartner: return v1::SCOPE_PARTNER;
    case Scope::kSite: return v1::SCOPE_SITE;
    case Scope::kDevice: return v1::SCOPE_DEVICE;
  }
  return v1::SCOPE_UNSPECIFIED;
}

v1::Encryption ToProto(Encryption encryption) {
  switch (encryption) {
    case Encryption::kNone: return v1::ENCRYPTION_NONE;
    case Encryption::kAes256Cbc: return v1::ENCRYPTION_AES_256_CBC;
    case Encryption::kAes128Gcm: return v1::ENCRYPTION_AES128GCM;
  }
  return v1::ENCRYPTION_UNSPECIFIED;
}

bool IsSecret(const LayerParameter& parameter) {
  return parameter.secret || flat_profile::IsSecretName(parameter.name);
}

void ToProto(const StoredLayer& layer, v1::Layer* out) {
  out->mutable_ref()->set_partner(layer.ref.partner);
  out->mutable_ref()->set_scope(ToProto(layer.ref.scope));
  out->mutable_ref()->set_key(layer.ref.key);
  out->set_version(layer.version);
  out->set_site(layer.settings.site);
  out->set_always_encrypt(layer.settings.always_encrypt);
  out->set_gzip(layer.settings.gzip);
  if (layer.settings.encryption) out->set_encryption(ToProto(*layer.settings.encryption));
  for (const LayerParameter& p : layer.parameters) {
    v1::Parameter* parameter = out->add_parameters();
    parameter->set_name(p.name);
    // Secrets are write-only: no reply carries them.
    parameter->set_value(IsSecret(p) ? std::string(kMasked) : p.value);
    parameter->set_ua(ToProto(p.user_access));
    parameter->set_secret(p.secret);
  }
  proto::SetTimestamp(layer.updated, out->mutable_update_time());
}

absl::StatusOr<LayerKey> CheckRef(const v1::LayerRef& ref) {
  std::optional<Scope> scope = FromProto(ref.scope());
  if (!scope) return InvalidField("ref.scope", "ref.scope is required");
  // A model layer with a partner is the partner's, for its phones of the model.
  if (*scope == Scope::kModel && !ref.partner().empty()) scope = Scope::kPartnerModel;
  LayerKey key{.partner = ref.partner(), .scope = *scope, .key = ref.key()};
  bool operator_scope = *scope == Scope::kGlobal || *scope == Scope::kModel;
  if (*scope == Scope::kGlobal && !ref.partner().empty()) {
    return InvalidField("ref.partner", "the global layer is the operator's: no partner");
  }
  if (!operator_scope) RETURN_IF_ERROR(validation::Name("ref.partner", ref.partner(), 64));
  switch (*scope) {
    case Scope::kGlobal:
    case Scope::kPartner:
      if (!ref.key().empty()) return InvalidField("ref.key", "this scope takes no key");
      break;
    case Scope::kModel:
    case Scope::kPartnerModel:
    case Scope::kSite:
      RETURN_IF_ERROR(validation::Name("ref.key", ref.key(), 64));
      break;
    case Scope::kDevice: {
      ASSIGN_OR_RETURN(key.key, validation::Mac("ref.key", ref.key()));
      break;
    }
  }
  return key;
}

}  // namespace onramp::profile
