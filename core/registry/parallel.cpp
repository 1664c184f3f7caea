// parallel.cpp: see parallel.hpp.
#include "registry/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace dbuild::registry {

sdk::Status run_bounded(std::size_t count, int limit, std::stop_token outer,
                        const std::function<sdk::Status(std::size_t, std::stop_token)>& task) {
  std::stop_source stop;
  std::stop_callback forward(outer, [&stop] { stop.request_stop(); });
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> succeeded{0};
  std::mutex mutex;
  sdk::Status first;
  auto work = [&] {
    while (!stop.stop_requested()) {
      auto index = next.fetch_add(1);
      if (index >= count) return;
      auto status = task(index, stop.get_token());
      if (status) {
        ++succeeded;
        continue;
      }
      std::lock_guard lock(mutex);
      // A cancellation caused by a sibling's failure is not the news; the failure is.
      if (first.is_ok() || (first.code() == sdk::Code::Cancelled && status.code() != sdk::Code::Cancelled))
        first = status;
      stop.request_stop();
    }
  };
  auto threads = std::min<std::size_t>(count, static_cast<std::size_t>(std::max(limit, 1)));
  {
    std::vector<std::jthread> workers;
    for (std::size_t i = 1; i < threads; ++i) {
      try {
        workers.emplace_back(work);
      } catch (const std::system_error&) {
        break;  // no more threads to be had: the ones running (and this one) do the rest
      }
    }
    if (threads > 0) work();
  }
  if (first.is_ok() && succeeded < count) return sdk::Status::cancelled("cancelled");
  return first;
}

}  // namespace dbuild::registry
