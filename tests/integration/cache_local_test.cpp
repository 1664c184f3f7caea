// cache_local_test.cpp: the local cache backend between two machines (two state roots): build on
// A with --cache-to type=local, prune A, build on an empty B with --cache-from: every unchanged
// step is cached and nothing runs; a changed file runs only the steps from its COPY on. Fault
// tests: an export killed mid-way leaves the previous cache importable; a cache whose manifest
// does not match its digest, or that lost a blob, is refused and the build runs its steps.
#include <signal.h>

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cache_workspace.hpp"
#include "dbuild_runner.hpp"
#include "dockerfile_workspace.hpp"
#include "support/temp_dir.hpp"
#include "support/test_registry.hpp"

namespace fs = std::filesystem;
using dbuild::test::but_from;
using dbuild::test::CacheWorkspace;
using dbuild::test::kAllSteps;
using dbuild::test::Steps;
using dbuild::test::cached_dockerfile_steps;
using dbuild::test::ran_steps;
using dbuild::test::read_file;
using dbuild::test::warnings_of;
using dbuild::test::write_file;
using nlohmann::json;

namespace {

// skopeo (not dbuild) reads the cache directory as an OCI layout: the tag resolves to the root
// manifest, whose config is the records blob, and every blob copies out with its digest checked.
void check_layout_with_skopeo(const fs::path& dir, const fs::path& scratch) {
  auto raw = dbuild::test::run_skopeo({"inspect", "--raw", "oci:" + dir.string() + ":latest"});
  INFO(raw.err);
  REQUIRE(raw.exit_code == 0);
  const auto manifest = json::parse(raw.out);
  CHECK(manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json");
  CHECK(manifest["config"]["mediaType"] == "application/vnd.dbuild.cache.config.v1+json");
  CHECK_FALSE(manifest["layers"].empty());
  auto copied = dbuild::test::run_skopeo({"copy", "oci:" + dir.string() + ":latest", "dir:" + scratch.string()});
  INFO(copied.err);
  CHECK(copied.exit_code == 0);
}

}  // namespace

TEST_CASE("a local cache carries every step to an empty machine in mode=max and mode=min", "[integration][cache]") {
  CacheWorkspace space;
  const auto dir = space.path("cache");
  SECTION("mode=max") {
    dbuild::test::check_two_machines(space, {"--cache-to", "type=local,dest=" + dir.string() + ",mode=max"},
                                     "type=local,src=" + dir.string());
    check_layout_with_skopeo(dir, space.path("skopeo-copy"));
  }
  SECTION("mode=min") {
    dbuild::test::check_two_machines(space, {"--cache-to", "type=local,dest=" + dir.string()}, "type=local,src=" + dir.string());
    check_layout_with_skopeo(dir, space.path("skopeo-copy"));
  }
  SECTION("an index as root, uncompressed layers, Docker media types") {
    dbuild::test::check_two_machines(
        space, {"--cache-to", "type=local,dest=" + dir.string() + ",mode=max,image-manifest=false,oci-mediatypes=false,compression=uncompressed"},
        "type=local,src=" + dir.string());
  }
}

TEST_CASE("mode=min exports the layers of the result's steps only and mode=max those of every stage",
          "[integration][cache]") {
  CacheWorkspace space;
  const auto min_dir = space.path("cache-min");
  const auto max_dir = space.path("cache-max");
  auto exported = space.build(space.machine("a"), {"--cache-to", "type=local,dest=" + min_dir.string(), "--cache-to",
                                                   "type=local,dest=" + max_dir.string() + ",mode=max"});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  // The builder stage alone: its step's result travelled only with mode=max.
  auto from_min = space.build(space.machine("b"), {"--target", "builder", "--cache-from", "type=local,src=" + min_dir.string()});
  INFO(from_min.err);
  REQUIRE(from_min.exit_code == 0);
  CHECK(but_from(ran_steps(from_min.err)) == Steps{"[builder 2/2] RUN echo built > /built.txt"});
  auto from_max = space.build(space.machine("c"), {"--target", "builder", "--cache-from", "type=local,src=" + max_dir.string()});
  INFO(from_max.err);
  REQUIRE(from_max.exit_code == 0);
  CHECK(ran_steps(from_max.err).empty());
}

TEST_CASE("several cache sources are used together and a missing one is a warning", "[integration][cache]") {
  CacheWorkspace space;
  const auto dir = space.path("cache");
  auto exported = space.build(space.machine("a"), {"--cache-to", "type=local,dest=" + dir.string() + ",mode=max"});
  REQUIRE(exported.exit_code == 0);
  auto imported = space.build(space.machine("b"), {"--cache-from", "type=local,src=" + space.path("nowhere").string(),
                                                   "--cache-from", "type=local,src=" + dir.string()});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(ran_steps(imported.err).empty());
  auto warnings = warnings_of(imported.err);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("is not used") && Catch::Contains("no index.json"));
}

namespace {

// The root descriptor index.json names for `tag`.
json root_entry(const fs::path& dir, const std::string& tag = "latest") {
  const auto index = json::parse(read_file(dir / "index.json"));
  for (const auto& entry : index["manifests"])
    if (entry["annotations"]["org.opencontainers.image.ref.name"] == tag) return entry;
  FAIL("no entry tagged " << tag << " in " << dir);
  return {};
}

fs::path blob_file(const fs::path& dir, const std::string& digest) {
  return dir / "blobs" / "sha256" / digest.substr(std::string("sha256:").size());
}

bool has_temp_files(const fs::path& dir) {
  std::error_code error;
  for (const auto& file : fs::recursive_directory_iterator(dir, error))
    if (file.path().filename().string().rfind(".tmp-", 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("a cache manifest that does not match its digest or lost a blob is refused and the steps run",
          "[integration][cache]") {
  CacheWorkspace space;
  const auto dir = space.path("cache");
  auto exported = space.build(space.machine("a"), {"--cache-to", "type=local,dest=" + dir.string() + ",mode=max"});
  REQUIRE(exported.exit_code == 0);
  const auto root = root_entry(dir);
  const auto manifest_path = blob_file(dir, root["digest"]);
  std::string expected_warning;
  SECTION("a manifest whose bytes changed") {
    auto manifest = read_file(manifest_path);
    write_file(manifest_path, manifest + " ");
    expected_warning = "does not match its digest";
  }
  SECTION("a layer blob removed") {
    const auto manifest = json::parse(read_file(manifest_path));
    REQUIRE_FALSE(manifest["layers"].empty());
    fs::remove(blob_file(dir, manifest["layers"].back()["digest"]));
    expected_warning = "is missing from";
  }
  auto out = space.path("out");
  auto imported = space.build(space.machine("b"), {"--cache-from", "type=local,src=" + dir.string(), "--output",
                                                   "type=local,dest=" + out.string()});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(but_from(ran_steps(imported.err)) == kAllSteps);
  auto warnings = warnings_of(imported.err);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains(expected_warning));
  CHECK(read_file(out / "joined.txt") == "alpha\none\n");
}

TEST_CASE("a local cache export killed mid-way leaves the previous cache importable", "[integration][cache]") {
  CacheWorkspace space;
  dbuild::test::write_dockerfile(space.workspace.context,
                                 "FROM busybox\nARG SEED\nRUN head -c 100000000 /dev/urandom > /big\nCOPY a.txt /a.txt\n");
  const auto dir = space.path("cache");
  const std::string cache_to = "type=local,dest=" + dir.string() + ",mode=max";
  auto first = space.build(space.machine("a"), {"--build-arg", "SEED=1", "--cache-to", cache_to});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const auto index_before = read_file(dir / "index.json");

  // A second export writes a new 100 MB layer: killed as soon as its first file appears.
  std::vector<std::string> argv = {dbuild::test::dbuild_binary().string(), "--root", space.machine("a").string(), "build",
                                   "--progress", "plain", "--build-context",
                                   "busybox=oci-layout://" + space.workspace.base.reference(), "--build-arg", "SEED=2",
                                   "--cache-to", cache_to, space.workspace.context.string()};
  dbuild::test::BackgroundProcess second(argv, {{{"DBUILD_PLUGIN_PATH", std::nullopt}}});
  bool caught = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!caught && std::chrono::steady_clock::now() < deadline) {
    caught = has_temp_files(dir);
    if (!caught) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  second.send_signal(SIGKILL);
  auto killed = second.wait();
  INFO(killed.err);
  REQUIRE(caught);
  REQUIRE(killed.exit_code == 128 + SIGKILL);
  CHECK(read_file(dir / "index.json") == index_before);

  auto imported = space.build(space.machine("b"), {"--build-arg", "SEED=1", "--cache-from", "type=local,src=" + dir.string()});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(ran_steps(imported.err).empty());
  CHECK(warnings_of(imported.err).empty());

  // The next export that completes drops what the killed one left behind.
  auto third = space.build(space.machine("b"), {"--build-arg", "SEED=1", "--cache-to", cache_to});
  INFO(third.err);
  REQUIRE(third.exit_code == 0);
  CHECK_FALSE(has_temp_files(dir));
}

TEST_CASE("bad --cache-to and --cache-from arguments are one-line usage errors with exit 2", "[integration][cache][cli]") {
  dbuild::test::TempDir dir;
  write_file(dir.path() / "context" / "Dockerfile", "FROM scratch\n");
  write_file(dir.path() / "a-file", "not a directory\n");
  struct Case {
    std::vector<std::string> flags;
    std::string error;
  };
  // "@" stands for this run's temporary directory (generated values outlive the first run's).
  auto bad = GENERATE(
      Case{{"--cache-to", "dest=/tmp/x"}, "--cache-to dest=/tmp/x: type= is required"},
      Case{{"--cache-to", "type=local"}, "--cache-to type=local: dest= is required"},
      Case{{"--cache-from", "type=local"}, "--cache-from type=local: src= is required"},
      Case{{"--cache-from", "type=registry"}, "--cache-from type=registry: ref= is required"},
      Case{{"--cache-to", "type=s3,bucket=b"}, "no cache-backend plugin named \"s3\""},
      Case{{"--cache-to", "type=local,dest=@/c,mode=mid"}, "mode=mid: want min or max"},
      Case{{"--cache-to", "type=local,dest=@/c,colour=blue"},
           "unknown attribute \"colour\" for the local cache"},
      Case{{"--cache-to", "type=local,dest=@/a-file"}, "exists and is not a directory"},
      Case{{"--cache-to", "type=local,dest=@/c,compression=zstd,oci-mediatypes=false"},
           "compression=zstd needs oci-mediatypes=true"},
      Case{{"--cache-to", "type=registry,ref=127.0.0.1:1/c:1,ignore-error=maybe"}, "ignore-error=maybe: want true or false"},
      Case{{"--cache-to", "type=registry,ref=Bad//Ref"}, "invalid reference format"},
      Case{{"--cache-to", "type=inline,mode=max"}, "the inline cache holds only the image's own steps"},
      Case{{"--cache-from", "type=inline"}, "the inline cache is export-only"});
  std::vector<std::string> args = {"--root", (dir.path() / "state").string(), "build", "--progress", "plain"};
  for (auto flag : bad.flags) {
    if (auto at = flag.find('@'); at != std::string::npos) flag.replace(at, 1, dir.path().string());
    args.push_back(flag);
  }
  args.push_back((dir.path() / "context").string());
  auto result = dbuild::test::run_dbuild(args);
  INFO(result.err);
  CHECK(result.exit_code == 2);
  const auto first_line = result.err.substr(0, result.err.find('\n'));
  CHECK_THAT(first_line, Catch::StartsWith("error: ") && Catch::Contains(bad.error));
  CHECK_THAT(result.err, Catch::EndsWith("\nhint: run 'dbuild build --help' for usage\n"));
  CHECK_FALSE(fs::exists(dir.path() / "c"));
}

TEST_CASE("a cache export into a directory whose index.json is not an OCI index fails and deletes nothing",
          "[integration][cache]") {
  CacheWorkspace space;
  dbuild::test::write_dockerfile(space.workspace.context, "FROM busybox\nRUN echo hello > /hello\n");
  const auto dir = space.path("not-a-cache");
  const auto other = dir / "blobs" / "sha256" / std::string(64, 'a');
  std::filesystem::create_directories(other.parent_path());
  write_file(other, "someone else's file\n");
  write_file(dir / "index.json", "{\"hello\": \"world\"}");
  auto exported = space.build(space.machine("a"), {"--cache-to", "type=local,dest=" + dir.string()});
  INFO(exported.err);
  CHECK(exported.exit_code == 1);
  CHECK_THAT(exported.err, Catch::Contains("index.json is not an OCI index"));
  CHECK(read_file(dir / "index.json") == "{\"hello\": \"world\"}");
  CHECK(read_file(other) == "someone else's file\n");
}
