// go_duration.hpp: Go's time.ParseDuration ("1h30m", "1.5s", "300ms", "-2us"), which BuildKit
// uses for HEALTHCHECK's duration flags, with Go's error texts.
#pragma once

#include <cstdint>
#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::dockerfile {

/// Nanoseconds. Errors: invalid_argument "time: invalid duration \"x\"", "time: missing unit in
/// duration \"1\"", "time: unknown unit \"d\" in duration \"1d\"".
[[nodiscard]] sdk::Result<std::int64_t> parse_go_duration(std::string_view text);

}  // namespace dbuild::dockerfile
