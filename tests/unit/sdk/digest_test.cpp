// digest_test.cpp: digest parsing by the OCI image spec's grammar.
#include <catch2/catch.hpp>

#include <dbuild/sdk/digest.hpp>

namespace sdk = dbuild::sdk;

TEST_CASE("digest parses sha256 and keeps its parts", "[sdk][digest]") {
  const std::string text = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";
  auto digest = sdk::Digest::parse(text);
  REQUIRE(digest);
  CHECK(digest->algorithm() == "sha256");
  CHECK(digest->str() == text);
  CHECK(digest->short_hex() == "6c3c624b58db");
}

TEST_CASE("digest rejects malformed text with the text in the message", "[sdk][digest]") {
  auto bad = GENERATE(as<std::string>{}, "", "sha256", "sha256:", ":abc", "sha256:abc",
                      "sha256:6C3C624B58DBBCD3C0DD82B4C53F04194D1247C6EEBDAAB7C610CF7D66709B3B", "SHA256:abc",
                      "sha512:0123", "sha256+:abc", "sha256:abc def");
  auto digest = sdk::Digest::parse(bad);
  REQUIRE_FALSE(digest);
  CHECK(digest.status().code() == sdk::Code::InvalidArgument);
  CHECK_THAT(digest.status().message(), Catch::Contains("\"" + bad + "\""));
}

TEST_CASE("digest accepts other registered-looking algorithms by grammar", "[sdk][digest]") {
  CHECK(sdk::Digest::parse("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"));
  CHECK(sdk::Digest::parse("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"));
}
