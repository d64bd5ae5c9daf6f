#ifndef ONRAMP_SERVICES_PROFILE_RENDER_DELIVERY_RECORDER_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_DELIVERY_RECORDER_H_

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "lib/kit/clients/device_activation.h"
#include "services/profile-render/store.h"

namespace onramp::profile {

// Delivery records written in batches from a thread of their own, so a
// resync never waits on the database for its bookkeeping. With a timeline
// (device-activation), a phone's first delivery and every delivery of a new
// ETag also become timeline events; unchanged resyncs do not. Both are
// delivered at least once: what the database or device-activation did not
// take is sent again at the next flush (events carry an id, so
// device-activation records each once), up to kMaxKept of each through an
// outage; the oldest go beyond that, logged as errors.
class DeliveryRecorder {
 public:
  static constexpr size_t kMaxKept = 100000;

  DeliveryRecorder(ProfileStore& store, clients::DeviceActivation* timeline);
  ~DeliveryRecorder();  // flushes what is queued
  void Record(ProfileStore::DeliveryRow row);
  // Writes what is queued and sends what is unsent; one at a time.
  void Flush();

 private:
  void Run();
  template <typename Item>
  static void KeepAtMost(std::deque<Item>& items, const char* what);

  ProfileStore& store_;
  clients::DeviceActivation* timeline_;
  const std::string event_id_prefix_;  // random per process: ids unique across replicas
  std::mutex flush_mutex_;             // guards what follows, up to mutex_
  std::unordered_map<std::string, std::string> last_etag_;
  std::deque<ProfileStore::DeliveryRow> unwritten_;
  std::deque<device::v1::RecordEventRequest> unsent_;
  int64_t events_made_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<ProfileStore::DeliveryRow> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_DELIVERY_RECORDER_H_
