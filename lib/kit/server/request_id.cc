#include "lib/kit/server/request_id.h"

#include <array>
#include <cstdint>
#include <random>

#include "absl/strings/ascii.h"

namespace onramp::server {

std::string NewRequestId() {
  // Not a secret: a per-thread generator seeded once from the OS is enough
  // to make collisions vanishingly unlikely.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = generator();
    for (int i = 0; i < 16; ++i) {
      id[half * 16 + i] = kHex[bits & 0xf];
      bits >>= 4;
    }
  }
  return id;
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != ':' && c != '-') {
      return false;
    }
  }
  return true;
}

std::string RequestIdOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto found = metadata.find(grpc::string_ref(kRequestIdKey.data(), kRequestIdKey.size()));
  if (found == metadata.end()) return "";
  return std::string(found->second.data(), found->second.size());
}

void PropagateRequestId(const grpc::ServerContextBase& from, grpc::ClientContext* to) {
  std::string id = RequestIdOf(from);
  if (!id.empty()) to->AddMetadata(std::string(kRequestIdKey), id);
}

}  // namespace onramp::server
