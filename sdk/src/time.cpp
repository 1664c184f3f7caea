// RFC 3339 time stamps in UTC (see time.hpp).
#include "dbuild/sdk/time.hpp"

#include <chrono>
#include <ctime>

namespace dbuild::sdk {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_rfc3339(std::int64_t seconds_since_epoch) {
  const std::time_t time = seconds_since_epoch;
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, length);
}

}  // namespace dbuild::sdk
