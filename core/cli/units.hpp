// units.hpp: the sizes, durations and key=value lists users type on the command line, parsed
// and printed as buildx does ("10GB", "512MiB", "24h", "1h30m", "type=local,dest=out").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::cli {

/// "512", "10kB", "10KB", "2MiB", "1.5GB": decimal units are powers of 1000, "i" units of 1024.
[[nodiscard]] sdk::Result<std::int64_t> parse_size(std::string_view text);
/// "1.2MB", "512B", as docker prints sizes (decimal, 3 significant digits).
[[nodiscard]] std::string format_size(std::int64_t bytes);
/// Go durations: "300ms", "45s", "10m", "24h", "1h30m". Returns seconds (rounded down).
[[nodiscard]] sdk::Result<std::int64_t> parse_duration_seconds(std::string_view text);
/// "5 minutes ago", "2 hours ago", "3 days ago" for a Unix time.
[[nodiscard]] std::string format_age(std::int64_t unix_seconds);
/// "type=local,dest=out" as buildx reads --output and friends: comma-separated key=value pairs,
/// a field in double quotes may hold commas. Errors: invalid_argument naming the field.
[[nodiscard]] sdk::Result<sdk::Attributes> parse_attributes(std::string_view text);

}  // namespace dbuild::cli
