// manual_clock.hpp: a Clock the test sets by hand (atomic: renderers read it from their threads).
#pragma once

#include <atomic>
#include <cstdint>

#include "cli/progress/clock.hpp"

namespace dbuild::progress::testing {

constexpr std::int64_t kMs = 1'000'000;
// An arbitrary wall-clock origin (2024-05-01T12:34:56Z), so that timestamps look real.
constexpr std::int64_t kEpoch = 1'714'566'896'000'000'000;

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t now_ns = kEpoch) : now_ns_(now_ns) {}
  [[nodiscard]] std::int64_t now_ns() const noexcept override { return now_ns_.load(); }
  void set_ms(std::int64_t ms_since_epoch_origin) { now_ns_.store(kEpoch + ms_since_epoch_origin * kMs); }

 private:
  std::atomic<std::int64_t> now_ns_;
};

}  // namespace dbuild::progress::testing
