// registry.cpp: helpers for callers of the registry service (registry.hpp).
#include <dbuild/sdk/registry.hpp>
#include <dbuild/sdk/time.hpp>

namespace dbuild::sdk {

TransferHooks push_progress_hooks(ProgressSink& sink, std::stop_token stop) {
  TransferHooks hooks;
  hooks.stop = std::move(stop);
  hooks.progress = [&sink](const Digest& blob, std::int64_t done, std::int64_t total) {
    ProgressEvent event;
    event.type = ProgressType::Status;
    event.timestamp_ns = now_ns();
    event.id = "pushing " + blob.str().substr(0, 19);
    event.current = done;
    event.total = total;
    sink.emit(event);
  };
  return hooks;
}

}  // namespace dbuild::sdk
