// ticker.cpp: the interval thread behind Ticker.
#include "cli/progress/ticker.hpp"

#include <system_error>

namespace dbuild::progress {

bool Ticker::start(std::chrono::milliseconds interval, std::function<void()> tick) noexcept {
  if (thread_.joinable()) return true;
  interval_ = interval;
  tick_ = std::move(tick);
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  try {
    thread_ = std::thread([this] { run(); });
    running_ = true;
  } catch (const std::system_error&) {
    return false;
  }
  return true;
}

void Ticker::wake() noexcept {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_one();
}

void Ticker::stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_one();
  if (!thread_.joinable()) return;
  running_ = false;
  if (thread_.get_id() == std::this_thread::get_id()) {
    thread_.detach();  // stopped from its own tick: it ends when the tick returns
    return;
  }
  thread_.join();
}

void Ticker::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wakeup_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
    lock.unlock();
    tick_();
    lock.lock();
  }
}

}  // namespace dbuild::progress
