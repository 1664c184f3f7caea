// imagetools_test.cpp: `dbuild imagetools create` and `inspect` against Debian's docker-registry,
// with images pushed by the registry client and every result read back by skopeo: indexes from
// images in other repositories (mounted) and other registries (copied), from index sources,
// --dry-run, annotations, Docker manifest lists, and each kind of bad input.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "dbuild_runner.hpp"
#include "support/registry_fixture.hpp"

using namespace dbuild;
using nlohmann::json;

namespace {

struct ImagetoolsFixture {
  test::TempDir dir;
  test::TestRegistry registry;
  test::LocalStore store;
  test::CountingClient client;
  std::string host = registry.host();

  // Pushes `image` to `ref` with the registry client; returns the manifest's digest.
  std::string push(const test::TestImage& image, const std::string& ref) {
    image.write_to(*store.store);
    auto pushed = client->push_image(test::reference(ref), image.descriptor, *store.store);
    INFO(pushed.status().to_string());
    REQUIRE(pushed);
    return image.descriptor.digest.str();
  }

  test::ProcessResult dbuild(const std::vector<std::string>& args) {
    return test::run_dbuild(args, {{"DOCKER_CONFIG", (dir.path() / "docker").string()},
                                   {"DBUILD_CONFIG", (dir.path() / "dbuild-config").string()}});
  }
  test::ProcessResult dbuild_ok(const std::vector<std::string>& args) {
    auto result = dbuild(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result;
  }
};

std::string skopeo_raw(const std::string& ref) {
  auto result = test::run_skopeo({"inspect", "--tls-verify=false", "--raw", "docker://" + ref});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return result.out;
}

// What skopeo says of the image for one architecture (it reads the manifest and the config).
json skopeo_inspect(const std::string& ref, const std::string& architecture) {
  auto result =
      test::run_skopeo({"inspect", "--tls-verify=false", "--override-arch", architecture, "docker://" + ref});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return json::parse(result.out);
}

std::vector<std::string> platforms_of(const json& index) {
  std::vector<std::string> platforms;
  for (const auto& entry : index.at("manifests")) {
    const auto& platform = entry.at("platform");
    platforms.push_back(platform.at("os").get<std::string>() + "/" + platform.at("architecture").get<std::string>() +
                        (platform.contains("variant") ? "/" + platform.at("variant").get<std::string>() : ""));
  }
  return platforms;
}

json layer_digests(const std::vector<std::string>& layers) {
  json digests = json::array();
  for (const auto& layer : layers) digests.push_back(oci::sha256_of(layer).str());
  return digests;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The image's manifest rewritten with Docker's media types (its blobs are the same bytes).
test::TestImage as_docker(test::TestImage image) {
  auto manifest = oci::parse_manifest(image.manifest);
  REQUIRE(manifest);
  manifest->media_type = sdk::media_type::kDockerManifest;
  manifest->config.media_type = sdk::media_type::kDockerConfig;
  for (auto& layer : manifest->layers) layer.media_type = sdk::media_type::kDockerLayerGzip;
  image.manifest = oci::to_json(*manifest);
  auto platform = image.descriptor.platform;
  image.descriptor = test::TestImage::blob(sdk::media_type::kDockerManifest, image.manifest);
  image.descriptor.platform = platform;
  return image;
}

}  // namespace

TEST_CASE("imagetools create makes an index of images from two repositories, and skopeo reads it back",
          "[integration][registry][imagetools]") {
  ImagetoolsFixture fixture;
  const auto& host = fixture.host;
  auto amd64 = fixture.push(test::TestImage("amd64", {"amd64 layer"}), host + "/src/amd:1");
  auto arm64 = fixture.push(test::TestImage("arm64", {"arm64 layer", "second arm64 layer"}), host + "/src/arm:1");

  auto created = fixture.dbuild_ok({"imagetools", "create", "-t", host + "/multi/app:1", host + "/src/amd:1",
                                    host + "/src/arm:1"});
  auto raw = skopeo_raw(host + "/multi/app:1");
  CHECK(created.out == oci::sha256_of(raw).str() + "\n");
  auto index = json::parse(raw);
  CHECK(index.at("mediaType") == sdk::media_type::kOciIndex);
  CHECK(platforms_of(index) == std::vector<std::string>{"linux/amd64", "linux/arm64"});
  CHECK(index.at("manifests")[0].at("digest") == amd64);
  CHECK(index.at("manifests")[1].at("digest") == arm64);
  // The manifests and their blobs were mounted into multi/app: skopeo reads configs from there.
  auto arm = skopeo_inspect(host + "/multi/app:1", "arm64");
  CHECK(arm.at("Digest") == oci::sha256_of(raw).str());
  CHECK(arm.at("Architecture") == "arm64");
  CHECK(arm.at("Layers") == layer_digests({"arm64 layer", "second arm64 layer"}));
  CHECK(skopeo_inspect(host + "/multi/app:1", "amd64").at("Layers") == layer_digests({"amd64 layer"}));

  SECTION("inspect --raw prints the registry's bytes, as skopeo does") {
    CHECK(fixture.dbuild_ok({"imagetools", "inspect", "--raw", host + "/multi/app:1"}).out == raw);
  }
  SECTION("inspect shows the index and its manifests as buildx does") {
    auto digest = oci::sha256_of(raw).str();
    auto text = fixture.dbuild_ok({"imagetools", "inspect", host + "/multi/app:1"}).out;
    CHECK(text == "Name:      " + host + "/multi/app:1\n" +
                      "MediaType: application/vnd.oci.image.index.v1+json\n" + "Digest:    " + digest + "\n" +
                      "\n"
                      "Manifests:\n"
                      "  Name:      " + host + "/multi/app:1@" + amd64 + "\n" +
                      "  MediaType: application/vnd.oci.image.manifest.v1+json\n"
                      "  Platform:  linux/amd64\n"
                      "\n"
                      "  Name:      " + host + "/multi/app:1@" + arm64 + "\n" +
                      "  MediaType: application/vnd.oci.image.manifest.v1+json\n"
                      "  Platform:  linux/arm64\n");
  }
  SECTION("inspect --format json gives the name, the manifest and each platform's config") {
    auto out = fixture.dbuild_ok({"imagetools", "inspect", "--format", "json", host + "/multi/app:1"}).out;
    auto document = json::parse(out);
    CHECK(document.at("name") == host + "/multi/app:1");
    CHECK(document.at("manifest").at("digest") == oci::sha256_of(raw).str());
    CHECK(document.at("manifest").at("size") == raw.size());
    CHECK(document.at("manifest").at("manifests").size() == 2);
    CHECK(document.at("image").at("linux/arm64").at("architecture") == "arm64");
    CHECK(document.at("image").at("linux/amd64").at("rootfs").at("diff_ids").size() == 1);
  }
}

TEST_CASE("imagetools create from an index source adds its manifests: one index alone is copied as it is",
          "[integration][registry][imagetools]") {
  ImagetoolsFixture fixture;
  const auto& host = fixture.host;
  fixture.push(test::TestImage("amd64", {"a"}), host + "/src/amd:1");
  fixture.push(test::TestImage("arm64", {"b"}), host + "/src/arm:1");
  auto armv7 = fixture.push(test::TestImage("arm", {"c"}, "v7"), host + "/src/armv7:1");
  auto first = fixture.dbuild_ok(
      {"imagetools", "create", "-t", host + "/multi/app:1", host + "/src/amd:1", host + "/src/arm:1"});
  auto first_digest = first.out.substr(0, first.out.size() - 1);

  auto grown = fixture.dbuild_ok(
      {"imagetools", "create", "-t", host + "/grown/app:2", host + "/multi/app:1", host + "/src/armv7:1"});
  auto raw = skopeo_raw(host + "/grown/app:2");
  CHECK(grown.out == oci::sha256_of(raw).str() + "\n");
  CHECK(platforms_of(json::parse(raw)) == std::vector<std::string>{"linux/amd64", "linux/arm64", "linux/arm/v7"});
  auto arm = skopeo_inspect(host + "/grown/app:2", "arm");
  CHECK(arm.at("Architecture") == "arm");
  CHECK(arm.at("Layers") == layer_digests({"c"}));
  CHECK(json::parse(raw).at("manifests")[2].at("digest") == armv7);

  auto copied = fixture.dbuild_ok({"imagetools", "create", "-t", host + "/copy/app:1", host + "/multi/app:1"});
  CHECK(copied.out == first_digest + "\n");
  CHECK(oci::sha256_of(skopeo_raw(host + "/copy/app:1")).str() == first_digest);
  CHECK(skopeo_inspect(host + "/copy/app:1", "arm64").at("Architecture") == "arm64");

  SECTION("--append adds to the index the tag names") {
    fixture.dbuild_ok({"imagetools", "create", "--append", "-t", host + "/multi/app:1", host + "/src/armv7:1"});
    CHECK(platforms_of(json::parse(skopeo_raw(host + "/multi/app:1"))) ==
          std::vector<std::string>{"linux/amd64", "linux/arm64", "linux/arm/v7"});
  }
}

TEST_CASE("imagetools create copies images from another registry into the tag's",
          "[integration][registry][imagetools]") {
  ImagetoolsFixture fixture;
  test::TestRegistry other;
  auto amd64 = fixture.push(test::TestImage("amd64", {"far layer"}), other.host() + "/far/amd:1");
  auto arm64 = fixture.push(test::TestImage("arm64", {"near layer"}), fixture.host + "/near/arm:1");
  auto created = fixture.dbuild_ok({"imagetools", "create", "-t", fixture.host + "/mixed/app:1",
                                    other.host() + "/far/amd:1", fixture.host + "/near/arm:1"});
  CHECK(created.out == oci::sha256_of(skopeo_raw(fixture.host + "/mixed/app:1")).str() + "\n");
  auto raw = json::parse(skopeo_raw(fixture.host + "/mixed/app:1"));
  CHECK(raw.at("manifests")[0].at("digest") == amd64);
  CHECK(raw.at("manifests")[1].at("digest") == arm64);
  CHECK(skopeo_inspect(fixture.host + "/mixed/app:1", "amd64").at("Layers") == layer_digests({"far layer"}));
  CHECK(skopeo_inspect(fixture.host + "/mixed/app:1", "arm64").at("Layers") == layer_digests({"near layer"}));
}

TEST_CASE("imagetools create --dry-run prints the index and pushes nothing", "[integration][registry][imagetools]") {
  ImagetoolsFixture fixture;
  const auto& host = fixture.host;
  auto amd64 = fixture.push(test::TestImage("amd64", {"a"}), host + "/src/amd:1");
  auto arm64 = fixture.push(test::TestImage("arm64", {"b"}), host + "/src/arm:1");
  auto before = fixture.client.count_matching("PUT", "/manifests/");
  // A bare digest lives in the first tag's repository.
  auto dry = fixture.dbuild_ok(
      {"imagetools", "create", "--dry-run", "-t", host + "/src/arm:dry", host + "/src/amd:1", arm64});
  auto index = json::parse(dry.out);
  CHECK(platforms_of(index) == std::vector<std::string>{"linux/amd64", "linux/arm64"});
  CHECK(index.at("manifests")[1].at("digest") == arm64);
  auto missing = test::run_skopeo({"inspect", "--tls-verify=false", "--raw", "docker://" + host + "/src/arm:dry"});
  CHECK(missing.exit_code != 0);
  CHECK(fixture.client.count_matching("PUT", "/manifests/") == before);

  SECTION("annotations go on the index and on the entries of the platform named") {
    auto annotated = fixture.dbuild_ok({"imagetools", "create", "--dry-run", "--annotation", "team=builders",
                                        "--annotation", "manifest-descriptor[linux/arm64]:note=arm only",
                                        host + "/src/amd:1", host + "/src/arm:1"});
    auto document = json::parse(annotated.out);
    CHECK(document.at("annotations").at("team") == "builders");
    CHECK_FALSE(document.at("manifests")[0].contains("annotations"));
    CHECK(document.at("manifests")[1].at("annotations").at("note") == "arm only");
  }
  SECTION("a -f descriptor's platform and annotations are kept") {
    auto file = fixture.dir.path() / "descriptor.json";
    std::ofstream(file) << json{{"mediaType", sdk::media_type::kOciManifest},
                                {"digest", amd64},
                                {"size", 1},
                                {"platform", {{"os", "linux"}, {"architecture", "amd64"}, {"os.features", {"sse4"}}}},
                                {"annotations", {{"from", "file"}}}}
                                .dump();
    auto out = fixture.dbuild_ok({"imagetools", "create", "--dry-run", "-t", host + "/src/amd:1", "-f", file.string()}).out;
    auto entry = json::parse(out).at("manifests")[0];
    CHECK(entry.at("platform").at("os.features") == json{"sse4"});
    CHECK(entry.at("annotations").at("from") == "file");
    CHECK(entry.at("size") != 1);  // the registry's size wins
  }
}

TEST_CASE("imagetools create makes a Docker manifest list from Docker images", "[integration][registry][imagetools]") {
  ImagetoolsFixture fixture;
  const auto& host = fixture.host;
  fixture.push(as_docker(test::TestImage("amd64", {"a"})), host + "/docker/amd:1");
  fixture.push(as_docker(test::TestImage("arm64", {"b"})), host + "/docker/arm:1");
  auto created = fixture.dbuild_ok(
      {"imagetools", "create", "-t", host + "/docker/app:1", host + "/docker/amd:1", host + "/docker/arm:1"});
  auto raw = skopeo_raw(host + "/docker/app:1");
  CHECK(json::parse(raw).at("mediaType") == sdk::media_type::kDockerManifestList);
  CHECK(skopeo_inspect(host + "/docker/app:1", "arm64").at("Architecture") == "arm64");
  auto text = fixture.dbuild_ok({"imagetools", "inspect", host + "/docker/app:1"}).out;
  CHECK(contains(text, "MediaType: application/vnd.docker.distribution.manifest.list.v2+json\n"));
}

TEST_CASE("imagetools inspect shows a single image and its config", "[integration][registry][imagetools]") {
  ImagetoolsFixture fixture;
  auto digest = fixture.push(test::TestImage("arm64", {"x"}), fixture.host + "/one/app:1");
  auto text = fixture.dbuild_ok({"imagetools", "inspect", fixture.host + "/one/app:1"}).out;
  CHECK(text == "Name:      " + fixture.host + "/one/app:1\n" +
                    "MediaType: application/vnd.oci.image.manifest.v1+json\n" + "Digest:    " + digest + "\n");
  auto image = json::parse(
      fixture.dbuild_ok({"imagetools", "inspect", "--format", "{{json .Image}}", fixture.host + "/one/app@" + digest})
          .out);
  CHECK(image.at("architecture") == "arm64");
  CHECK(fixture.dbuild_ok({"imagetools", "inspect", "--raw", fixture.host + "/one/app@" + digest}).out ==
        skopeo_raw(fixture.host + "/one/app:1"));
}

TEST_CASE("imagetools refuses bad input with a clear message and the right exit code",
          "[integration][registry][imagetools]") {
  ImagetoolsFixture fixture;
  const auto& host = fixture.host;
  fixture.push(test::TestImage("amd64", {"a"}), host + "/src/amd:1");
  fixture.push(test::TestImage("amd64", {"other amd64"}), host + "/src/amd2:1");

  SECTION("a malformed reference is a usage error naming it") {
    auto inspect = fixture.dbuild({"imagetools", "inspect", host + "/Bad/Name:1"});
    CHECK(inspect.exit_code == 2);
    CHECK(contains(inspect.err, "invalid reference \"" + host + "/Bad/Name:1\""));
    auto create = fixture.dbuild({"imagetools", "create", "-t", "x::y", host + "/src/amd:1"});
    CHECK(create.exit_code == 2);
    CHECK(contains(create.err, "invalid reference \"x::y\""));
  }
  SECTION("a reference that does not exist is not found, naming it") {
    auto inspect = fixture.dbuild({"imagetools", "inspect", host + "/src/amd:missing"});
    CHECK(inspect.exit_code == 1);
    CHECK(contains(inspect.err, host + "/src/amd:missing"));
    CHECK(contains(inspect.err, "not found"));
    auto create = fixture.dbuild({"imagetools", "create", "-t", host + "/x/y:1", host + "/nothing/here:1"});
    CHECK(create.exit_code == 1);
    CHECK(contains(create.err, host + "/nothing/here:1"));
    CHECK(contains(create.err, "not found"));
  }
  SECTION("a registry that is down is a clear error") {
    auto down = "127.0.0.1:" + std::to_string(test::free_port());
    auto inspect = fixture.dbuild({"imagetools", "inspect", down + "/x/app:1"});
    CHECK(inspect.exit_code == 1);
    CHECK(contains(inspect.err, "error: fetching " + down + "/x/app:1: "));
    CHECK(contains(inspect.err, "onnect"));
    CHECK(contains(inspect.err, "hint: check that the registry " + down + " is running"));
  }
  SECTION("create without -t is a usage error") {
    auto create = fixture.dbuild({"imagetools", "create", host + "/src/amd:1"});
    CHECK(create.exit_code == 2);
    CHECK(contains(create.err, "-t"));
  }
  SECTION("two images for one platform are refused") {
    auto create = fixture.dbuild(
        {"imagetools", "create", "-t", host + "/dup/app:1", host + "/src/amd:1", host + "/src/amd2:1"});
    CHECK(create.exit_code == 1);
    CHECK(contains(create.err, "duplicate platform linux/amd64"));
    auto missing = test::run_skopeo({"inspect", "--tls-verify=false", "--raw", "docker://" + host + "/dup/app:1"});
    CHECK(missing.exit_code != 0);
  }
  SECTION("a manifest that is not an image is refused") {
    oci::Manifest artifact;
    std::string config = "{}";
    artifact.config = test::TestImage::blob("application/vnd.example.config+json", config);
    std::string manifest = oci::to_json(artifact);
    REQUIRE(fixture.store.store->write(config));
    REQUIRE(fixture.store.store->write(manifest));
    auto pushed = fixture.client->push_image(test::reference(host + "/art/thing:1"),
                                             test::TestImage::blob(sdk::media_type::kOciManifest, manifest),
                                             *fixture.store.store);
    REQUIRE(pushed);
    auto create = fixture.dbuild({"imagetools", "create", "-t", host + "/x/app:1", host + "/art/thing:1"});
    CHECK(create.exit_code == 1);
    CHECK(contains(create.err, host + "/art/thing:1 is not an image"));
  }
  SECTION("a bad annotation is a usage error") {
    auto create = fixture.dbuild({"imagetools", "create", "--dry-run", "--annotation", "manifest:k=v", host + "/src/amd:1"});
    CHECK(create.exit_code == 2);
    CHECK(contains(create.err, "manifest annotations are not supported"));
  }
}
