#include "services/gateway/edge_cache.h"

#include "absl/strings/str_cat.h"
#include "lib/kit/proto/messages.h"

namespace onramp::gateway {

EdgeCache::EdgeCache(size_t capacity, std::function<absl::Time()> clock)
    : clock_(std::move(clock)), phones_(capacity) {}

std::string EdgeCache::VariantOf(const profile::v1::RenderRequest& request) {
  return absl::StrCat(request.device().model(), "|", request.device().serial(), "|",
                      request.device().firmware_version(), "|", request.source_address(), "|",
                      request.authenticated_channel() ? 1 : 0);
}

std::shared_ptr<const EdgeCache::Answer> EdgeCache::Find(const std::string& mac, const std::string& variant) {
  if (!watching_.load()) return nullptr;
  std::shared_ptr<const PhoneCopies> copies = phones_.Find(mac);
  if (copies == nullptr) return nullptr;
  for (const Copy& copy : *copies) {
    if (copy.variant != variant) continue;
    if (copy.generation != generation_.load() || clock_() >= copy.expires) return nullptr;
    return copy.answer;
  }
  return nullptr;
}

void EdgeCache::Put(const std::string& mac, const std::string& variant, Answer answer,
                    const profile::v1::EdgeCopy& terms, uint64_t changes_before) {
  Copy copy{.variant = variant,
            .answer = std::make_shared<const Answer>(std::move(answer)),
            .generation = terms.generation(),
            .expires = terms.has_max_age() ? clock_() + proto::FromDuration(terms.max_age())
                                           : absl::InfiniteFuture()};
  std::lock_guard lock(writes_);
  if (!watching_.load() || changes_.load() != changes_before) return;
  auto copies = std::make_shared<PhoneCopies>();
  if (std::shared_ptr<const PhoneCopies> before = phones_.Find(mac)) {
    for (const Copy& kept : *before) {
      if (kept.variant != variant && copies->size() + 1 < kMaxVariants) copies->push_back(kept);
    }
  }
  copies->push_back(std::move(copy));
  phones_.Put(mac, std::move(copies));
}

void EdgeCache::Watching(int64_t generation) {
  std::lock_guard lock(writes_);
  ++changes_;
  generation_ = generation;
  watching_ = true;
}

void EdgeCache::Changed(int64_t generation, const std::vector<std::string>& forgotten_macs) {
  std::lock_guard lock(writes_);
  ++changes_;
  generation_ = generation;
  for (const std::string& mac : forgotten_macs) phones_.Erase(mac);
}

void EdgeCache::NotWatching() {
  std::lock_guard lock(writes_);
  ++changes_;
  watching_ = false;
  phones_.Clear();
}

}  // namespace onramp::gateway
