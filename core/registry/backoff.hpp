// backoff.hpp: when the registry client retries, and how long it waits: exponential backoff on
// 429, 5xx and dropped connections, honouring Retry-After, with a small bound on attempts so that
// a dead registry fails fast and a busy one is not stormed.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace dbuild::registry {

struct RetryPolicy {
  int max_attempts = 4;                              // tries in all, the first included
  std::chrono::milliseconds initial_delay{250};      // before the second try
  std::chrono::milliseconds max_delay{8000};         // no single wait is longer
  std::chrono::milliseconds max_retry_after{60000};  // a longer Retry-After gives up instead
};

/// True for the answers worth a second try: 408, 429, 500, 502, 503, 504. Never 401 or 403:
/// retrying a refused credential only gets an account locked.
[[nodiscard]] bool is_retryable_status(long status);

/// How long to wait before retry number `retry` (1 for the second try): initial_delay doubled
/// each time, capped at max_delay; a server's Retry-After replaces it when given (it may be
/// longer than max_delay, up to max_retry_after).
[[nodiscard]] std::chrono::milliseconds backoff_delay(
    const RetryPolicy& policy, int retry, std::optional<std::chrono::milliseconds> retry_after = std::nullopt);

/// A Retry-After value: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"),
/// relative to `now`. nullopt when unreadable; a date in the past is zero.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                                         std::chrono::system_clock::time_point now);

}  // namespace dbuild::registry
