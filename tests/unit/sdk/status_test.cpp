// status_test.cpp: Status context chains and Result's value-or-error rules.
#include <catch2/catch.hpp>

#include <dbuild/sdk/status.hpp>

namespace sdk = dbuild::sdk;

TEST_CASE("status context prints outermost first", "[sdk][status]") {
  auto status = sdk::Status::unavailable("registry.example.com: unauthorized")
                    .with_context("pushing layer sha256:1f3e")
                    .with_context("exporting image \"app:dev\"");
  CHECK(status.to_string() == "exporting image \"app:dev\": pushing layer sha256:1f3e: registry.example.com: unauthorized");
  CHECK(status.code() == sdk::Code::Unavailable);
  CHECK(sdk::code_name(status.code()) == "unavailable");
}

TEST_CASE("an ok status ignores context, location and hint", "[sdk][status]") {
  auto status = sdk::Status::ok().with_context("doing x").with_hint("try y").with_location({"Dockerfile", 3, 3});
  CHECK(status.is_ok());
  CHECK(static_cast<bool>(status));
  CHECK(status.context().empty());
  CHECK(status.hint().empty());
  CHECK_FALSE(status.location());
  CHECK(status.to_string() == "ok");
}

TEST_CASE("the innermost location wins", "[sdk][status]") {
  auto status = sdk::Status::not_found("no such file")
                    .with_location({"Dockerfile", 12, 12})
                    .with_location({"Dockerfile", 1, 1});
  REQUIRE(status.location());
  CHECK(status.location()->line == 12);
}

TEST_CASE("result holds a value or an error, never an ok error", "[sdk][status]") {
  sdk::Result<int> value = 5;
  REQUIRE(value);
  CHECK(*value == 5);
  CHECK(value.status().is_ok());

  sdk::Result<int> error = sdk::Status::invalid_argument("bad");
  REQUIRE_FALSE(error);
  CHECK(error.status().message() == "bad");

  sdk::Result<int> bug = sdk::Status::ok();
  REQUIRE_FALSE(bug);
  CHECK(bug.status().code() == sdk::Code::Internal);
}

TEST_CASE("every code has a name", "[sdk][status]") {
  for (int code = 0; code <= static_cast<int>(sdk::Code::Internal); ++code)
    CHECK(sdk::code_name(static_cast<sdk::Code>(code)) != "unknown");
}
