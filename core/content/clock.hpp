// clock.hpp: wall-clock time behind an interface, so that tests can move time (GC by age, lease
// expiry) without sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace dbuild::content {

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::chrono::system_clock::time_point now() = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::system_clock::time_point now() override { return std::chrono::system_clock::now(); }
};

/// Times are stored as Unix seconds, which SQLite's date functions read directly.
[[nodiscard]] inline std::int64_t unix_seconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace dbuild::content
