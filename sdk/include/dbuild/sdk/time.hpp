// Time stamps as image configs, history records and progress streams write them (RFC 3339, UTC).
#pragma once

#include <cstdint>
#include <string>

namespace dbuild::sdk {

/// The wall clock in nanoseconds since the Unix epoch, as progress events and history stamp times.
[[nodiscard]] std::int64_t now_ns();

// "2026-11-30T07:43:31Z" for seconds since the Unix epoch.
[[nodiscard]] std::string format_rfc3339(std::int64_t seconds_since_epoch);

}  // namespace dbuild::sdk
