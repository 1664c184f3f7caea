// cache_config_test.cpp: the records document of a cache (share/doc/cache.md): written and read
// back unchanged, refused when malformed, and the snapshot keys of an imported layer stack.
#include <catch2/catch.hpp>

#include "cache/cache_config.hpp"
#include "cache/imported_records.hpp"
#include "oci/sha256.hpp"

namespace cache = dbuild::cache;
namespace sdk = dbuild::sdk;
using dbuild::oci::sha256_of;

namespace {

std::string digest(const std::string& seed) { return sha256_of(seed).str(); }

cache::CacheConfig sample() {
  cache::CacheConfig config;
  sdk::Descriptor blob{"application/vnd.oci.image.layer.v1.tar+gzip", sha256_of("blob"), 42, {}, {}};
  config.layers = {{false, digest("layer"), blob}, {true, "", std::nullopt}, {false, digest("inline"), std::nullopt}};
  config.records = {{digest("k1"), {}, std::vector<std::size_t>{0}},
                    {digest("k2"), {digest("k1")}, std::vector<std::size_t>{0, 1}},
                    {digest("k3"), {digest("k1"), digest("k2")}, std::nullopt}};
  return config;
}

}  // namespace

TEST_CASE("cache records are read back as they were written, and equal records give equal bytes", "[cache][format]") {
  const auto config = sample();
  const auto text = cache::to_json(config);
  auto parsed = cache::parse_cache_config(text);
  INFO(text);
  REQUIRE(parsed);
  CHECK(*parsed == config);
  CHECK(cache::to_json(*parsed) == text);
  CHECK_THAT(text, Catch::StartsWith(R"({"layers":[{"blob":)"));
}

TEST_CASE("malformed cache records are refused naming what is wrong", "[cache][format]") {
  struct Case {
    std::string json;
    std::string error;
  };
  const std::string k = "\"" + digest("k") + "\"";
  auto bad = GENERATE_COPY(
      Case{"[]", "not a JSON object"},
      Case{R"({"version":2,"layers":[],"records":[]})", "version is not 1"},
      Case{R"({"version":1,"layers":{},"records":[]})", "layers: expected an array"},
      Case{R"({"version":1,"layers":[],"records":[{"key":"sha256:12"}]})", "records[0].key"},
      Case{R"({"version":1,"layers":[],"records":[{"inputs":[]}]})", "missing \"key\""},
      Case{R"({"version":1,"layers":[],"records":[{"key":)" + k + R"(,"result":[0]}]})", "result[0]: expected an index"},
      Case{R"({"version":1,"layers":[{"empty":true,"diffID":)" + k + R"(}],"records":[]})", "an empty layer has no diffID"},
      Case{R"({"version":1,"layers":[{"diffID":)" + k + R"(,"blob":{"digest":"x"}}],"records":[]})", "layers[0].blob"});
  auto parsed = cache::parse_cache_config(bad.json);
  INFO(bad.json);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.status().code() == sdk::Code::InvalidArgument);
  CHECK_THAT(parsed.status().message(), Catch::Contains(bad.error));
}

TEST_CASE("an imported stack's snapshot keys are the image's chain ids until an empty layer", "[cache][import]") {
  const std::string a = digest("a");
  const std::string b = digest("b");
  const auto keys = cache::stack_keys({{false, a, std::nullopt}, {false, b, std::nullopt}, {true, "", std::nullopt}});
  REQUIRE(keys.size() == 3);
  CHECK(keys[0] == a);                          // chain id of one layer: its diff id
  CHECK(keys[1] == sha256_of(a + " " + b).str());  // the OCI chain id
  CHECK(keys[2] == sha256_of(keys[1] + " empty").str());
}
