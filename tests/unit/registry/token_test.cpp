// token_test.cpp: token server answers, their lifetimes, and reusing a token until it expires.
#include <catch2/catch.hpp>

#include "registry/token.hpp"

using namespace std::chrono_literals;
using dbuild::registry::parse_rfc3339;
using dbuild::registry::parse_token_response;
using dbuild::registry::TokenCache;

namespace {
const auto kNow = std::chrono::system_clock::from_time_t(1700000000);
}

TEST_CASE("a token answer gives the token and its expiry from expires_in", "[registry][token]") {
  auto token = parse_token_response(R"({"token":"abc","expires_in":300})", kNow);
  REQUIRE(token);
  CHECK(token->value == "abc");
  CHECK(token->expires == kNow + 300s);
}

TEST_CASE("access_token is accepted where token is missing (OAuth2 answers)", "[registry][token]") {
  auto token = parse_token_response(R"({"access_token":"xyz","expires_in":120})", kNow);
  REQUIRE(token);
  CHECK(token->value == "xyz");
}

TEST_CASE("a missing or short expires_in counts as 60 seconds, as the token spec says", "[registry][token]") {
  auto missing = parse_token_response(R"({"token":"a"})", kNow);
  REQUIRE(missing);
  CHECK(missing->expires == kNow + 60s);
  auto short_one = parse_token_response(R"({"token":"a","expires_in":10})", kNow);
  REQUIRE(short_one);
  CHECK(short_one->expires == kNow + 60s);
}

TEST_CASE("issued_at, when given, is where the lifetime starts", "[registry][token]") {
  auto token = parse_token_response(R"({"token":"a","expires_in":600,"issued_at":"2023-11-14T22:00:00Z"})", kNow);
  REQUIRE(token);
  CHECK(token->expires == std::chrono::system_clock::from_time_t(1700000000 - 13 * 60 - 20 + 600));
}

TEST_CASE("an answer without a token is an error", "[registry][token]") {
  CHECK_FALSE(parse_token_response(R"({"expires_in":60})", kNow));
  CHECK_FALSE(parse_token_response("not json", kNow));
}

TEST_CASE("RFC 3339 times with fractions and offsets are read", "[registry][token]") {
  auto utc = parse_rfc3339("2023-11-14T22:13:20Z");
  REQUIRE(utc);
  CHECK(*utc == kNow);
  auto offset = parse_rfc3339("2023-11-15T00:13:20+02:00");
  REQUIRE(offset);
  CHECK(*offset == kNow);
  auto fraction = parse_rfc3339("2023-11-14T22:13:20.5Z");
  REQUIRE(fraction);
  CHECK(*fraction == kNow + 500ms);
  CHECK_FALSE(parse_rfc3339("2023-11-14 22:13:20"));
  CHECK_FALSE(parse_rfc3339("2023-11-14T22:13:20"));
}

TEST_CASE("a cached token is reused until shortly before it expires", "[registry][token]") {
  TokenCache cache;
  cache.put("k", {"t1", kNow + 60s});
  CHECK(cache.find("k", kNow) == "t1");
  CHECK(cache.find("k", kNow + 60s - TokenCache::kMargin - 1s) == "t1");
  CHECK_FALSE(cache.find("k", kNow + 60s - TokenCache::kMargin));
  CHECK_FALSE(cache.find("k", kNow));  // an expired token is dropped, not kept for later
  CHECK_FALSE(cache.find("other", kNow));
}

TEST_CASE("a token can be forgotten when the registry refuses it", "[registry][token]") {
  TokenCache cache;
  cache.put("k", {"t1", kNow + 600s});
  cache.forget("k");
  CHECK_FALSE(cache.find("k", kNow));
}
