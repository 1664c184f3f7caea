// ticker.hpp: a thread that calls a function at a fixed interval until stopped. The tty renderer
// redraws on it; plain and rawjson write their buffered text on it, so that emit() never waits
// on a slow terminal or pipe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace dbuild::progress {

class Ticker {
 public:
  Ticker() = default;
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  ~Ticker() { stop(); }

  /// Starts calling `tick` every `interval`. False when the thread could not be created; the
  /// caller then does the work inline. `tick` must not throw.
  bool start(std::chrono::milliseconds interval, std::function<void()> tick) noexcept;
  /// Runs the next tick now rather than at the end of the interval.
  void wake() noexcept;
  /// Stops the thread and waits for a tick in progress to end. Idempotent. Must not be called
  /// while holding a lock the tick takes.
  void stop() noexcept;
  [[nodiscard]] bool running() const noexcept { return running_.load(); }

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;  // guarded by mutex_
  bool woken_ = false;     // guarded by mutex_
  std::chrono::milliseconds interval_{100};
  std::function<void()> tick_;
  std::thread thread_;
  std::atomic<bool> running_{false};
};

}  // namespace dbuild::progress
