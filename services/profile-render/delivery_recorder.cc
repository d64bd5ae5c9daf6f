#include "services/profile-render/delivery_recorder.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/kit/log/log.h"
#include "lib/phone/customization/customization.h"

namespace onramp::profile {
namespace {

std::string RandomHex(size_t bytes) {
  std::string random(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), static_cast<int>(bytes));
  return absl::BytesToHexString(random);
}

}  // namespace

DeliveryRecorder::DeliveryRecorder(ProfileStore& store, clients::DeviceActivation* timeline)
    : store_(store), timeline_(timeline), event_id_prefix_(RandomHex(8)), thread_([this] { Run(); }) {}

DeliveryRecorder::~DeliveryRecorder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void DeliveryRecorder::Record(ProfileStore::DeliveryRow row) {
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(row));
  if (queue_.size() >= 500) wake_.notify_all();
}

void DeliveryRecorder::Flush() {
  std::lock_guard flushing(flush_mutex_);
  std::vector<ProfileStore::DeliveryRow> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(queue_);
  }
  // Delivery rows that could not be written go again with the new ones.
  unwritten_.insert(unwritten_.end(), batch.begin(), batch.end());
  std::vector<ProfileStore::DeliveryRow> rows(unwritten_.begin(), unwritten_.end());
  if (absl::Status status = store_.RecordDeliveries(rows); status.ok()) {
    unwritten_.clear();
  } else {
    log::Warn("delivery records not written; kept for the next flush",
              {{"count", static_cast<int64_t>(rows.size())}, {"error", std::string(status.message())}});
    KeepAtMost(unwritten_, "delivery records");
  }
  if (timeline_ == nullptr) return;
  for (const ProfileStore::DeliveryRow& row : batch) {
    // New profiles only (a phone's unchanged one is no news). Only a
    // profile the phone itself fetched (an authenticated channel) counts
    // as delivered, which makes it Acquired; other fetches are noted as such.
    std::string seen = absl::StrCat(row.etag, row.authenticated ? "|phone" : "|anyone");
    std::string& last = last_etag_[row.mac];
    if (last == seen) continue;
    last = seen;
    device::v1::RecordEventRequest& event = unsent_.emplace_back();
    event.mutable_mac()->set_value(row.mac);
    event.set_kind(row.authenticated ? customization::kProfileDeliveredEvent : customization::kProfileFetchedEvent);
    event.set_detail(absl::StrCat("etag ", row.etag));
    event.set_source("profile-render");
    // Sent until device-activation takes it, which records an id once.
    event.set_event_id(absl::StrCat(event_id_prefix_, "-", ++events_made_));
  }
  // A call per 500; what a failed call held waits for the next flush.
  constexpr size_t kEventsPerCall = 500;
  while (!unsent_.empty()) {
    size_t count = std::min(kEventsPerCall, unsent_.size());
    device::v1::RecordEventsRequest events;
    events.mutable_events()->Assign(unsent_.begin(), unsent_.begin() + static_cast<long>(count));
    if (absl::Status status = timeline_->RecordEvents(events, "").status(); !status.ok()) {
      log::Warn("timeline events not taken; kept for the next flush",
                {{"count", static_cast<int64_t>(unsent_.size())}, {"error", std::string(status.message())}});
      KeepAtMost(unsent_, "timeline events");
      return;
    }
    unsent_.erase(unsent_.begin(), unsent_.begin() + static_cast<long>(count));
  }
}

template <typename Item>
void DeliveryRecorder::KeepAtMost(std::deque<Item>& items, const char* what) {
  if (items.size() <= kMaxKept) return;
  log::Error("an outage outlasted the backlog: the oldest dropped",
             {{"what", what}, {"count", static_cast<int64_t>(items.size() - kMaxKept)}});
  items.erase(items.begin(), items.begin() + static_cast<long>(items.size() - kMaxKept));
}

void DeliveryRecorder::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_for(lock, std::chrono::milliseconds(200));
    bool stopping = stopping_;
    lock.unlock();
    Flush();
    lock.lock();
    if (stopping) return;
  }
}

}  // namespace onramp::profile
