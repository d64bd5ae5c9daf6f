#ifndef ONRAMP_SERVICES_GATEWAY_RENDER_WATCH_H_
#define ONRAMP_SERVICES_GATEWAY_RENDER_WATCH_H_

// Keeps the EdgeCache told of profile-render's changes: one WatchRenders
// stream, each change applied and then acknowledged (so the write that made
// it returns only once this gateway can no longer serve what it staled).
// While the stream is down the cache keeps nothing; it is opened again
// after a second.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "grpcpp/client_context.h"
#include "onramp/profile/v1/profile.grpc.pb.h"
#include "services/gateway/edge_cache.h"

namespace onramp::gateway {

class RenderWatch {
 public:
  RenderWatch(const std::string& profile_render_address, EdgeCache& cache);
  ~RenderWatch();  // ends the stream and joins

 private:
  void Run();

  EdgeCache& cache_;
  std::unique_ptr<profile::v1::ProfileRenderService::Stub> stub_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  grpc::ClientContext* context_ = nullptr;  // of the open stream, guarded by mutex_
  std::thread thread_;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_RENDER_WATCH_H_
