// www_authenticate_test.cpp: reading registry challenges as distribution, Docker Hub and
// odd servers send them.
#include <catch2/catch.hpp>

#include "registry/www_authenticate.hpp"

using dbuild::registry::parse_www_authenticate;

TEST_CASE("a bearer challenge gives its realm, service and scope", "[registry][auth]") {
  auto challenges = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].scheme == "bearer");
  CHECK(challenges[0].param("realm") == "https://auth.docker.io/token");
  CHECK(challenges[0].param("service") == "registry.docker.io");
  CHECK(challenges[0].param("scope") == "repository:library/alpine:pull");
}

TEST_CASE("a quoted scope keeps the comma between its actions", "[registry][auth]") {
  auto challenges = parse_www_authenticate(
      R"(Bearer realm="http://a/token", scope="repository:x/y:pull,push", error="insufficient_scope")");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].param("scope") == "repository:x/y:pull,push");
  CHECK(challenges[0].param("error") == "insufficient_scope");
}

TEST_CASE("schemes and parameter names are case-insensitive, values are kept as sent", "[registry][auth]") {
  auto challenges = parse_www_authenticate(R"(BASIC Realm="Registry Realm")");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].scheme == "basic");
  CHECK(challenges[0].param("realm") == "Registry Realm");
}

TEST_CASE("one header may hold several challenges", "[registry][auth]") {
  auto challenges = parse_www_authenticate(R"(Basic realm="basic", Bearer realm="https://t/token",service=reg)");
  REQUIRE(challenges.size() == 2);
  CHECK(challenges[0].scheme == "basic");
  CHECK(challenges[0].param("realm") == "basic");
  CHECK(challenges[1].scheme == "bearer");
  CHECK(challenges[1].param("service") == "reg");
}

TEST_CASE("escaped quotes inside a value are unescaped", "[registry][auth]") {
  auto challenges = parse_www_authenticate(R"(Bearer realm="a \"quoted\" realm")");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].param("realm") == R"(a "quoted" realm)");
}

TEST_CASE("unquoted values and spaces around the equals sign are read", "[registry][auth]") {
  auto challenges = parse_www_authenticate("Bearer realm = https://h/token , service=h");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].param("realm") == "https://h/token");
  CHECK(challenges[0].param("service") == "h");
}

TEST_CASE("a malformed header yields what can be read and never fails", "[registry][auth]") {
  CHECK(parse_www_authenticate("").empty());
  CHECK(parse_www_authenticate("realm=x").empty());
  auto challenges = parse_www_authenticate(R"(Bearer realm="unterminated)");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].param("realm") == "unterminated");
}

TEST_CASE("challenges from several header lines are concatenated", "[registry][auth]") {
  auto challenges = parse_www_authenticate(std::vector<std::string>{"Basic realm=a", "Bearer realm=b"});
  REQUIRE(challenges.size() == 2);
  CHECK(challenges[1].param("realm") == "b");
}
