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

TEST_CASE("platform specifiers keep what normalisation would change: parse normalises", "[sdk][platform]") {
  auto arm = sdk::Platform::parse_specifier("linux/arm");
  REQUIRE(arm);
  CHECK(arm->str() == "linux/arm");
  CHECK(arm->normalized().str() == "linux/arm/v7");
  auto windows = sdk::Platform::parse_specifier("windows(10.0.17763+win32k)/amd64");
  REQUIRE(windows);
  CHECK(windows->os_version == "10.0.17763");
  CHECK(windows->os_features == std::vector<std::string>{"win32k"});
  CHECK(windows->str() == "windows/amd64");
  CHECK(windows->str_all() == "windows(10.0.17763+win32k)/amd64");
}
