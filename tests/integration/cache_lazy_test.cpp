// cache_lazy_test.cpp: an empty machine whose every step a cache answers pushes the image without
// making it local: layers in the cache's repository are mounted (the registry's access log shows
// no download of them), layers elsewhere (another registry, a local cache directory) are fetched
// only to be uploaded, and the image is the one a build that makes the output local pushes. A
// build that needs the files still gets them from the same cache.
#include <algorithm>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cache_workspace.hpp"
#include "dockerfile_workspace.hpp"
#include "oci/sha256.hpp"
#include "registry_cache_space.hpp"

namespace fs = std::filesystem;
using dbuild::test::but_from;
using dbuild::test::cached_dockerfile_steps;
using dbuild::test::kAllSteps;
using dbuild::test::ran_steps;
using dbuild::test::RegistryCacheSpace;
using dbuild::test::RegistryRequest;
using dbuild::test::skopeo_raw;
using dbuild::test::warnings_of;
using nlohmann::json;

namespace {

const std::vector<std::string> kEpoch = {"--build-arg", "SOURCE_DATE_EPOCH=1700000000"};

std::vector<std::string> with_epoch(std::vector<std::string> args) {
  args.insert(args.end(), kEpoch.begin(), kEpoch.end());
  return args;
}

// Machine A builds everything and exports the cache to `cache_to`.
void export_cache(RegistryCacheSpace& r, const std::string& cache_to) {
  auto exported = r.space.build(r.space.machine("a"), with_epoch({"--cache-to", cache_to}));
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  REQUIRE(but_from(ran_steps(exported.err)) == kAllSteps);
}

// A build from the cache that must run nothing, show every step cached and warn of nothing.
void build_from_cache(RegistryCacheSpace& r, const fs::path& machine, const std::vector<std::string>& args) {
  auto built = r.space.build(machine, with_epoch(args));
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  CHECK(ran_steps(built.err).empty());
  CHECK(but_from(cached_dockerfile_steps(built.err)) == kAllSteps);
  CHECK(warnings_of(built.err).empty());
}

std::vector<std::string> layer_digests(const std::string& reference) {
  std::vector<std::string> digests;
  const auto manifest = json::parse(skopeo_raw(reference));
  for (const auto& layer : manifest["layers"]) digests.push_back(layer["digest"]);
  return digests;
}

std::string manifest_digest(const std::string& reference) { return dbuild::oci::sha256_of(skopeo_raw(reference)).str(); }

bool has_blob(const fs::path& machine, const std::string& digest) {
  return fs::exists(machine / "content" / "blobs" / "sha256" / digest.substr(digest.find(':') + 1));
}

std::size_t snapshot_count(const fs::path& machine) {
  if (!fs::exists(machine / "snapshots")) return 0;
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(machine / "snapshots"), fs::directory_iterator()));
}

// What skopeo, which is not dbuild, reads of a pushed image: every blob, checked by digest.
void check_skopeo_copies(const std::string& reference, const fs::path& dest) {
  auto copied = dbuild::test::run_skopeo({"copy", "--src-tls-verify=false", "docker://" + reference, "oci:" + dest.string()});
  INFO(copied.err);
  CHECK(copied.exit_code == 0);
}

// A build that makes the output local (type=local needs its files) and pushes it too: the image
// the lazy path must match.
std::string push_made_local(RegistryCacheSpace& r, const std::string& cache_from) {
  const auto machine = r.space.machine("local");
  const auto out = r.space.path("out-local");
  const auto image = r.ref("app/local:1");
  build_from_cache(r, machine, {"--cache-from", cache_from, "--output", "type=local,dest=" + out.string(), "--output",
                                "type=image,name=" + image + ",push=true,store=false"});
  CHECK(dbuild::test::read_file(out / "joined.txt") == "alpha\none\n");
  CHECK(snapshot_count(machine) > 0);
  return manifest_digest(image);
}

}  // namespace

TEST_CASE("an empty machine pushes an image from a registry cache by mounting its layers and downloads none",
          "[integration][cache][registry][lazy]") {
  RegistryCacheSpace r;
  std::string layout;
  SECTION("mode=max") { layout = "mode=max"; }
  SECTION("mode=min") { layout = "mode=min"; }
  SECTION("mode=max, an index listing the records and the layers") {
    layout = "mode=max,image-manifest=false,oci-mediatypes=true";
  }
  const auto cache = r.ref("cache/app:1");
  export_cache(r, "type=registry,ref=" + cache + "," + layout);
  const auto root = json::parse(skopeo_raw(cache));
  const std::string records = root.contains("config") ? root["config"]["digest"] : root["manifests"].back()["digest"];

  const auto b = r.space.machine("b");
  const auto image = r.ref("app/lazy:1");
  const auto before = r.registry.requests().size();
  build_from_cache(r, b, {"--cache-from", "type=registry,ref=" + cache, "--output",
                          "type=image,name=" + image + ",push=true,store=false"});
  const auto all = r.registry.requests();
  const std::vector<RegistryRequest> requests(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());

  const auto layers = layer_digests(image);
  REQUIRE(layers.size() >= 4);
  for (const auto& request : requests) {
    INFO(request.method << " " << request.uri << " " << request.status);
    // The only blob B downloads is the cache's records blob: no layer.
    if (request.method == "GET" && request.uri.find("/blobs/") != std::string::npos)
      CHECK(request.uri == "/v2/cache/app/blobs/" + records);
  }
  for (const auto& layer : layers) {
    INFO(layer);
    CHECK(std::any_of(requests.begin(), requests.end(), [&](const RegistryRequest& request) {
      return request.method == "POST" && request.status == 201 &&
             request.uri == "/v2/app/lazy/blobs/uploads/?mount=" + layer + "&from=cache/app";
    }));
    CHECK_FALSE(has_blob(b, layer));
  }
  CHECK(snapshot_count(b) == 0);
  check_skopeo_copies(image, r.space.path("copied"));
  CHECK(manifest_digest(image) == push_made_local(r, "type=registry,ref=" + cache));
}

TEST_CASE("a build with --push from a registry cache stores the image with its layers fetched and none unpacked",
          "[integration][cache][registry][lazy]") {
  RegistryCacheSpace r;
  const auto cache = r.ref("cache/app:max");
  export_cache(r, "type=registry,ref=" + cache + ",mode=max");
  const auto b = r.space.machine("b");
  const auto image = r.ref("app/stored:1");
  build_from_cache(r, b, {"--cache-from", "type=registry,ref=" + cache, "--push", "-t", image});
  for (const auto& layer : layer_digests(image)) CHECK(has_blob(b, layer));
  CHECK(snapshot_count(b) == 0);
  auto inspected = r.space.dbuild(b, {"images", "inspect", image});
  INFO(inspected.err);
  CHECK(inspected.exit_code == 0);
  CHECK(manifest_digest(image) == push_made_local(r, "type=registry,ref=" + cache));
  SECTION("and a later build that needs the files unpacks them") {
    const auto out = r.space.path("out-b");
    build_from_cache(r, b, {"--cache-from", "type=registry,ref=" + cache, "--output", "type=local,dest=" + out.string()});
    CHECK(dbuild::test::read_file(out / "joined.txt") == "alpha\none\n");
    CHECK(snapshot_count(b) > 0);
  }
}

TEST_CASE("a push the cache cannot mount fetches the layers from the cache and a lost layer fails in one line",
          "[integration][cache][registry][lazy]") {
  RegistryCacheSpace r;
  dbuild::test::TestRegistry elsewhere;
  std::string cache_from;
  std::string lost;  // set when the section removes the cache's layers
  SECTION("a cache on another registry") {
    const auto cache = elsewhere.host() + "/cache/app:max";
    export_cache(r, "type=registry,ref=" + cache + ",mode=max");
    cache_from = "type=registry,ref=" + cache;
    SECTION("whole") {}
    SECTION("that lost its layers") {
      // The registry forgets that the repository holds them (GET answers 404); the records stay.
      const auto records = json::parse(skopeo_raw(cache))["config"]["digest"].get<std::string>();
      for (const auto& layer : layer_digests(cache))
        if (layer != records) fs::remove_all(elsewhere.repository_path("cache/app") / "_layers" / "sha256" / layer.substr(7));
      lost = "sha256:";
    }
  }
  SECTION("a local cache directory") {
    const auto dir = r.space.path("cache-dir");
    export_cache(r, "type=local,dest=" + dir.string() + ",mode=max");
    cache_from = "type=local,src=" + dir.string();
  }
  const auto b = r.space.machine("b");
  const auto image = r.ref("app/fetched:1");
  const std::vector<std::string> args = {"--cache-from", cache_from, "--output",
                                         "type=image,name=" + image + ",push=true,store=false"};
  if (!lost.empty()) {
    auto failed = r.space.build(b, with_epoch(args));
    INFO(failed.err);
    CHECK(failed.exit_code == 1);
    std::string error;
    for (const auto& line : dbuild::test::lines_of(failed.err))
      if (line.rfind("error: ", 0) == 0) error += line + "\n";
    CHECK_THAT(error, Catch::Contains("fetching layer " + lost) && Catch::Contains(" from --cache-from " + cache_from));
    CHECK(std::count(error.begin(), error.end(), '\n') == 1);
    CHECK_THAT(failed.err, Catch::Contains("hint: the build's steps were answered by that cache"));
    return;
  }
  build_from_cache(r, b, args);
  CHECK(snapshot_count(b) == 0);
  check_skopeo_copies(image, r.space.path("copied"));
  CHECK(manifest_digest(image) == push_made_local(r, cache_from));
}
