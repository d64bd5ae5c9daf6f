#ifndef ONRAMP_SERVICES_PROFILE_RENDER_DEVICE_KEYS_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_DEVICE_KEYS_H_

// The phones' profile keys: 32 random bytes each, sealed at rest with the
// service's key-encryption key (lib/phone/profile_crypto/sealer.h), made on a
// profile's first need of one, rotated by a partner, handed to the phone
// itself (DeliverDeviceKey), after which every profile it gets is
// encrypted with the key it holds.

#include <string>

#include "absl/status/statusor.h"
#include "lib/phone/profile_crypto/device_key.h"
#include "lib/phone/profile_crypto/sealer.h"
#include "services/profile-render/store.h"

namespace onramp::profile {

class DeviceKeys {
 public:
  DeviceKeys(ProfileStore& store, profile_crypto::Sealer sealer) : store_(store), sealer_(std::move(sealer)) {}

  absl::StatusOr<profile_crypto::DeviceKey> Unseal(const SealedKey& key) const;
  // A new key for the phone, its newest. With `only_if_none`, a key another
  // replica made meanwhile stands instead.
  absl::StatusOr<SealedKey> Add(const std::string& mac, bool only_if_none);
  // A new key the phone is handed, and the cipher it is for.
  absl::StatusOr<HeldKey> Deliver(const std::string& mac);

  // Also seals the HTTP Digest nonces (lib/http/auth/digest_check.h).
  const profile_crypto::Sealer& sealer() const { return sealer_; }

 private:
  ProfileStore& store_;
  const profile_crypto::Sealer sealer_;
};

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_DEVICE_KEYS_H_
