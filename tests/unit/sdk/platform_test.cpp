// platform_test.cpp: platform parsing and normalisation (the full containerd table runs in the
// conformance suite).
#include <catch2/catch.hpp>

#include <dbuild/sdk/platform.hpp>

namespace sdk = dbuild::sdk;

TEST_CASE("platform parsing normalises architecture aliases", "[sdk][platform]") {
  auto check = [](const char* text, const char* expected) {
    auto platform = sdk::Platform::parse(text);
    REQUIRE(platform);
    CHECK(platform->str() == expected);
  };
  check("linux/amd64", "linux/amd64");
  check("linux/x86_64", "linux/amd64");
  check("Linux/AArch64", "linux/arm64");
  check("linux/arm64/v8", "linux/arm64");
  check("linux/armhf", "linux/arm/v7");
  check("linux/arm", "linux/arm/v7");
  check("linux/arm/6", "linux/arm/v6");
  check("linux/i386", "linux/386");
  check("arm64", "linux/arm64");
}

TEST_CASE("platform parsing rejects malformed specifiers", "[sdk][platform]") {
  auto bad = GENERATE(as<std::string>{}, "", "linux//amd64", "linux/amd64/v8/x", "lin ux/amd64", "notanos");
  auto platform = sdk::Platform::parse(bad);
  REQUIRE_FALSE(platform);
  CHECK(platform.status().code() == sdk::Code::InvalidArgument);
}

TEST_CASE("host platform is a linux platform", "[sdk][platform]") {
  CHECK(sdk::Platform::host().os == "linux");
  CHECK_FALSE(sdk::Platform::host().architecture.empty());
}
