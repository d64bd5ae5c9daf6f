#include "services/profile-render/device_keys.h"

#include "absl/strings/escaping.h"
#include "lib/kit/status/status_macros.h"

namespace onramp::profile {

absl::StatusOr<profile_crypto::DeviceKey> DeviceKeys::Unseal(const SealedKey& key) const {
  std::string sealed;
  if (!absl::Base64Unescape(key.sealed, &sealed)) return absl::DataLossError("sealed key is not base64");
  ASSIGN_OR_RETURN(std::string hex, sealer_.Open(sealed));
  return profile_crypto::DeviceKey::FromHex(hex);
}

absl::StatusOr<SealedKey> DeviceKeys::Add(const std::string& mac, bool only_if_none) {
  ASSIGN_OR_RETURN(profile_crypto::DeviceKey fresh, profile_crypto::DeviceKey::Generate());
  return store_.AddDeviceKey(mac, absl::Base64Escape(sealer_.Seal(fresh.ToHex())), only_if_none);
}

absl::StatusOr<HeldKey> DeviceKeys::Deliver(const std::string& mac) {
  ASSIGN_OR_RETURN(profile_crypto::DeviceKey fresh, profile_crypto::DeviceKey::Generate());
  return store_.DeliverKey(mac, absl::Base64Escape(sealer_.Seal(fresh.ToHex())));
}

}  // namespace onramp::profile
