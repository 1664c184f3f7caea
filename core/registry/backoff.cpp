// backoff.cpp: the retry rules of the registry client (see backoff.hpp).
#include "registry/backoff.hpp"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <string>

namespace dbuild::registry {

bool is_retryable_status(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry,
                                        std::optional<std::chrono::milliseconds> retry_after) {
  if (retry_after) return std::max(*retry_after, std::chrono::milliseconds(0));
  auto delay = policy.initial_delay;
  for (int i = 1; i < retry && delay < policy.max_delay; ++i) delay *= 2;
  return std::min(delay, policy.max_delay);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size())
    return seconds < 0 ? std::nullopt : std::optional(std::chrono::milliseconds(seconds * 1000));

  // IMF-fixdate, the form RFC 9110 requires senders to use.
  std::string text(value);
  struct tm parts {};
  const char* parsed = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (!parsed || *parsed != '\0') return std::nullopt;
  auto when = std::chrono::system_clock::from_time_t(::timegm(&parts));
  if (when <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
}

}  // namespace dbuild::registry
