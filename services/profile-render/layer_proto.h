#ifndef ONRAMP_SERVICES_PROFILE_RENDER_LAYER_PROTO_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_LAYER_PROTO_H_

// Layers between the API's messages and the store's types: scopes, user
// access, ciphers, and who may own a layer of each scope. Secrets leave
// only masked.

#include <optional>

#include "absl/status/statusor.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "onramp/profile/v1/profile.pb.h"
#include "services/profile-render/render.h"
#include "services/profile-render/store.h"

namespace onramp::profile {

// What a secret's value reads as in every reply; written back, it keeps
// the value.
inline constexpr char kMasked[] = "********";

std::optional<flat_profile::UserAccess> FromProto(v1::UserAccess ua);
v1::UserAccess ToProto(const std::optional<flat_profile::UserAccess>& ua);
std::optional<Scope> FromProto(v1::Scope scope);
v1::Scope ToProto(Scope scope);
v1::Encryption ToProto(Encryption encryption);

// Marked secret, or secret by its name (passwords and the like).
bool IsSecret(const LayerParameter& parameter);

// The layer as replies carry it: secrets masked.
void ToProto(const StoredLayer& layer, v1::Layer* out);

// The store's key for `ref`: global and model layers are the operator's
// (no partner), partner and site layers a partner's, device layers keyed
// by MAC. Errors name the field.
absl::StatusOr<LayerKey> CheckRef(const v1::LayerRef& ref);

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_LAYER_PROTO_H_
