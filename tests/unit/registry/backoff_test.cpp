// backoff_test.cpp: which answers are retried, how long the client waits, and Retry-After.
#include <catch2/catch.hpp>

#include "registry/backoff.hpp"

using namespace std::chrono_literals;
using dbuild::registry::backoff_delay;
using dbuild::registry::is_retryable_status;
using dbuild::registry::parse_retry_after;
using dbuild::registry::RetryPolicy;

TEST_CASE("429 and 5xx are retried, 401, 403 and 404 never", "[registry][backoff]") {
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L}) CHECK(is_retryable_status(status));
  for (long status : {200L, 201L, 400L, 401L, 403L, 404L, 405L, 416L, 501L}) CHECK_FALSE(is_retryable_status(status));
}

TEST_CASE("the delay doubles from the initial one and stops at the maximum", "[registry][backoff]") {
  RetryPolicy policy;
  policy.initial_delay = 100ms;
  policy.max_delay = 1000ms;
  CHECK(backoff_delay(policy, 1) == 100ms);
  CHECK(backoff_delay(policy, 2) == 200ms);
  CHECK(backoff_delay(policy, 3) == 400ms);
  CHECK(backoff_delay(policy, 4) == 800ms);
  CHECK(backoff_delay(policy, 5) == 1000ms);
  CHECK(backoff_delay(policy, 40) == 1000ms);
}

TEST_CASE("a server's Retry-After replaces the computed delay", "[registry][backoff]") {
  RetryPolicy policy;
  CHECK(backoff_delay(policy, 1, 3000ms) == 3000ms);
  CHECK(backoff_delay(policy, 3, 0ms) == 0ms);
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date", "[registry][backoff]") {
  auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  CHECK(parse_retry_after("120", now) == 120000ms);
  CHECK(parse_retry_after(" 0 ", now) == 0ms);
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30000ms);
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0ms);  // in the past
  CHECK_FALSE(parse_retry_after("", now));
  CHECK_FALSE(parse_retry_after("-5", now));
  CHECK_FALSE(parse_retry_after("soon", now));
}
