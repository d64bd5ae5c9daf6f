#include "services/gateway/render_watch.h"

#include <chrono>
#include <vector>

#include "lib/kit/clients/channel.h"
#include "lib/kit/log/log.h"

namespace onramp::gateway {

RenderWatch::RenderWatch(const std::string& profile_render_address, EdgeCache& cache)
    : cache_(cache),
      stub_(profile::v1::ProfileRenderService::NewStub(clients::ServiceChannel(profile_render_address))),
      thread_([this] { Run(); }) {}

RenderWatch::~RenderWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  stop_.notify_all();
  thread_.join();
}

void RenderWatch::Run() {
  for (;;) {
    grpc::ClientContext context;
    // Waits for profile-render to be up rather than failing at once.
    context.set_wait_for_ready(true);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      context_ = &context;
    }
    auto stream = stub_->WatchRenders(&context);
    profile::v1::RenderChange change;
    bool first = true;
    while (stream->Read(&change)) {
      std::vector<std::string> forgotten(change.forgotten_macs().begin(), change.forgotten_macs().end());
      if (first) {
        cache_.Watching(change.generation());
        log::Info("watching profile-render's changes", {{"generation", change.generation()}});
        first = false;
      } else {
        cache_.Changed(change.generation(), forgotten);
      }
      profile::v1::RenderChangeAck ack;
      ack.set_sequence(change.sequence());
      if (!stream->Write(ack)) break;
    }
    cache_.NotWatching();
    grpc::Status status = stream->Finish();
    std::unique_lock lock(mutex_);
    context_ = nullptr;
    if (stopping_) return;
    if (!first) {
      log::Warn("profile-render's change stream ended; no edge copies until it is back",
                {{"error", status.error_message()}});
    }
    // Not at once: a profile-render that cuts the stream off would
    // otherwise be asked again in a loop.
    if (stop_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) return;
  }
}

}  // namespace onramp::gateway
