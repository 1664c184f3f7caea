// cache_registry_test.cpp: the registry and inline cache backends between two machines (two state
// roots) through Debian's docker-registry started here: a cache pushed with mode=max or mode=min
// (as an image manifest or as an index), or inline in a pushed image, lets an empty machine run
// nothing; skopeo checks what the registry holds. A source that is missing, unreachable or
// tampered with is a warning and the steps run.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cache_workspace.hpp"
#include "dockerfile_workspace.hpp"
#include "oci/sha256.hpp"
#include "registry_cache_space.hpp"

namespace fs = std::filesystem;
using dbuild::test::but_from;
using dbuild::test::CacheWorkspace;
using dbuild::test::kAllSteps;
using dbuild::test::ran_steps;
using dbuild::test::warnings_of;
using dbuild::test::RegistryCacheSpace;
using dbuild::test::skopeo_raw;
using nlohmann::json;

TEST_CASE("a registry cache carries every step to an empty machine in mode=max and mode=min",
          "[integration][cache][registry]") {
  RegistryCacheSpace r;
  SECTION("mode=max, an image manifest") {
    const auto ref = r.ref("cache/app:max");
    dbuild::test::check_two_machines(r.space, {"--cache-to", "type=registry,ref=" + ref + ",mode=max"},
                                     "type=registry,ref=" + ref);
    const auto manifest = json::parse(skopeo_raw(ref));
    CHECK(manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json");
    CHECK(manifest["config"]["mediaType"] == "application/vnd.dbuild.cache.config.v1+json");
    CHECK(manifest["layers"].size() >= 4);  // busybox, and the layers of both stages' steps
  }
  SECTION("mode=min") {
    const auto ref = r.ref("cache/app:min");
    dbuild::test::check_two_machines(r.space, {"--cache-to", "type=registry,ref=" + ref}, ref);
    CHECK(json::parse(skopeo_raw(ref))["config"]["mediaType"] == "application/vnd.dbuild.cache.config.v1+json");
  }
  SECTION("mode=max, an index listing the records and the layers") {
    const auto ref = r.ref("cache/app:index");
    dbuild::test::check_two_machines(
        r.space, {"--cache-to", "type=registry,ref=" + ref + ",mode=max,image-manifest=false,oci-mediatypes=true"},
        "type=registry,ref=" + ref);
    const auto index = json::parse(skopeo_raw(ref));
    CHECK(index["mediaType"] == "application/vnd.oci.image.index.v1+json");
    CHECK(index["manifests"].back()["mediaType"] == "application/vnd.dbuild.cache.config.v1+json");
  }
}

TEST_CASE("inline cache in a pushed image carries every step to an empty machine", "[integration][cache][registry]") {
  RegistryCacheSpace r;
  const auto image = r.ref("x/app:1");
  dbuild::test::check_two_machines(r.space, {"--cache-to", "type=inline", "--push", "-t", image},
                                   "type=registry,ref=" + image);
  const auto config = json::parse(skopeo_raw(image, {"--config"}));
  REQUIRE(config.contains("dbuild.cache.v1"));
  CHECK(config["dbuild.cache.v1"]["version"] == 1);
  CHECK_FALSE(config["dbuild.cache.v1"]["records"].empty());
}

TEST_CASE("a registry cache source that is missing or unreachable or tampered with is a warning and the steps run",
          "[integration][cache][registry]") {
  RegistryCacheSpace r;
  const auto ref = r.ref("cache/app:1");
  std::string expected_warning;
  SECTION("a tag the registry does not have") {
    expected_warning = "is not used";
  }
  SECTION("a registry that is down") {
    auto exported = r.space.build(r.space.machine("a"), {"--cache-to", "type=registry,ref=" + ref + ",mode=max"});
    INFO(exported.err);
    REQUIRE(exported.exit_code == 0);
    r.registry.stop();
    expected_warning = "is not used";
  }
  SECTION("a cache manifest whose stored bytes changed") {
    auto exported = r.space.build(r.space.machine("a"), {"--cache-to", "type=registry,ref=" + ref + ",mode=max"});
    INFO(exported.err);
    REQUIRE(exported.exit_code == 0);
    const auto digest = dbuild::oci::sha256_of(skopeo_raw(ref)).str();
    const auto stored = r.registry.blob_data_path(digest);
    dbuild::test::write_file(stored, dbuild::test::read_file(stored) + " ");
    expected_warning = "sha256";
  }
  auto imported = r.space.build(r.space.machine("b"), {"--cache-from", "type=registry,ref=" + ref});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(but_from(ran_steps(imported.err)) == kAllSteps);
  auto warnings = warnings_of(imported.err);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("--cache-from type=registry,ref=" + ref) && Catch::Contains(expected_warning));
}
