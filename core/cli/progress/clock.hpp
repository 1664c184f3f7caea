// clock.hpp: the time source the renderers read (step timers, the tty header), behind an
// interface so that tests can drive time by hand.
#pragma once

#include <cstdint>

namespace dbuild::progress {

/// Wall-clock time in nanoseconds since the Unix epoch: the scale of ProgressEvent::timestamp_ns,
/// so that "now" and event times can be subtracted. Implementations must be safe to call from any
/// thread (the tty renderer reads the clock from its redraw thread).
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::int64_t now_ns() const noexcept = 0;
};

/// The real clock (std::chrono::system_clock).
class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::int64_t now_ns() const noexcept override;
};

}  // namespace dbuild::progress
