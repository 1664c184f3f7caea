// registry_build_test.cpp: builds that meet a registry, against Debian's docker-registry started
// here: FROM pulls a base the image store lacks (and picks the platform from an index), --push
// pushes the result, which a private dockerd pulls and runs and skopeo inspects; --metadata-file,
// --iidfile and -q report the same digests; a registry that is down fails the build clearly and a
// later push completes; a later process mounts the layers of a base an earlier one pulled.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

#include <dbuild/sdk/platform.hpp>

#include "build_workspace.hpp"
#include "support/dockerd.hpp"
#include "support/registry_fixture.hpp"
#include "support/skip.hpp"
#include "support/test_registry.hpp"

namespace fs = std::filesystem;
using dbuild::test::read_file;
using dbuild::test::write_file;
using nlohmann::json;

namespace {

// A workspace whose builds see only the test's own client configuration (no logins from the
// machine's ~/.docker) and a registry holding the busybox base as base/busybox:1.
struct RegistryWorkspace {
  dbuild::test::Workspace workspace;
  dbuild::test::TestRegistry registry;
  std::string base = registry.host() + "/base/busybox:1";

  RegistryWorkspace() {
    auto copied = dbuild::test::run_skopeo({"copy", "--dest-tls-verify=false", "oci:" + workspace.base.reference(),
                                            "docker://" + base});
    INFO(copied.out << copied.err);
    REQUIRE(copied.exit_code == 0);
    fs::create_directories(workspace.dir.path() / "docker-config");
    fs::create_directories(workspace.dir.path() / "dbuild-config");
  }
  std::map<std::string, std::optional<std::string>> environment(
      std::map<std::string, std::optional<std::string>> extra = {}) const {
    extra.emplace("DOCKER_CONFIG", (workspace.dir.path() / "docker-config").string());
    extra.emplace("DBUILD_CONFIG", (workspace.dir.path() / "dbuild-config").string());
    return extra;
  }
  dbuild::test::ProcessResult build(const std::string& dockerfile, std::vector<std::string> extra,
                                    std::map<std::string, std::optional<std::string>> env = {},
                                    std::vector<std::string> globals = {}) {
    write_file(workspace.context / "Dockerfile", dockerfile);
    std::vector<std::string> args = std::move(globals);
    args.insert(args.end(), {"--root", workspace.root.string(), "build", "--progress", "plain"});
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(workspace.context.string());
    return dbuild::test::run_dbuild(args, environment(std::move(env)));
  }
  fs::path path(const std::string& name) const { return workspace.dir.path() / name; }
};

json skopeo_inspect(const std::string& reference, bool raw = false) {
  std::vector<std::string> args = {"inspect", "--tls-verify=false"};
  if (raw) args.push_back("--raw");
  args.push_back("docker://" + reference);
  auto inspected = dbuild::test::run_skopeo(args);
  INFO(inspected.err);
  REQUIRE(inspected.exit_code == 0);
  return json::parse(inspected.out);
}

}  // namespace

TEST_CASE("a --push build sends the image to the registry, where docker pulls and runs it and skopeo sees the digests",
          "[integration][registry][push]") {
  RegistryWorkspace space;
  dbuild::test::Dockerd dockerd;
  const std::string app = space.registry.host() + "/x/app:1";
  auto metadata = space.path("metadata.json");
  auto iid = space.path("iid");
  auto result = space.build("FROM " + space.base + "\nRUN echo made-by-dbuild > /proof.txt\nCMD [\"cat\", \"/proof.txt\"]\n",
                            {"--push", "-t", app, "--metadata-file", metadata.string(), "--iidfile", iid.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.err, Catch::Contains("[internal] load metadata for " + space.base));
  CHECK_THAT(result.err, Catch::Contains("pushing " + app));

  auto meta = json::parse(read_file(metadata));
  auto manifest = skopeo_inspect(app, true);
  auto pushed = skopeo_inspect(app);
  CHECK(meta["containerimage.digest"] == pushed["Digest"]);
  CHECK(meta["containerimage.config.digest"] == manifest["config"]["digest"]);
  CHECK(meta["containerimage.descriptor"]["digest"] == pushed["Digest"]);
  CHECK(meta["containerimage.descriptor"]["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json");
  CHECK(meta["image.name"] == app);
  CHECK(read_file(iid) == meta["containerimage.config.digest"].get<std::string>());
  CHECK(manifest["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json");
  // The base layer went up as it was pulled: the same blob, not a re-made one.
  auto base_manifest = skopeo_inspect(space.base, true);
  REQUIRE(manifest["layers"].size() == 2);
  CHECK(manifest["layers"][0]["digest"] == base_manifest["layers"][0]["digest"]);

  auto pulled = dockerd.docker({"pull", app});
  INFO(pulled.out << pulled.err);
  REQUIRE(pulled.exit_code == 0);
  auto ran = dockerd.docker({"run", "--rm", "--network", "none", app});
  INFO(ran.err);
  CHECK(ran.out == "made-by-dbuild\n");
}

TEST_CASE("FROM pulls a base the image store lacks, shows its layers, and remembers it under its name",
          "[integration][registry][pull]") {
  RegistryWorkspace space;
  const std::string dockerfile = "FROM " + space.base + "\nRUN echo ok > /ok\n";
  auto result = space.build(dockerfile, {"-t", "pulled/app:1"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto base_manifest = skopeo_inspect(space.base, true);
  const std::string layer = base_manifest["layers"][0]["digest"].get<std::string>().substr(0, 19);
  CHECK_THAT(result.err, Catch::Contains(layer));  // the layer's download progress
  auto quiet = space.build(dockerfile, {"-t", "pulled/app:1", "-q"});
  auto image = space.workspace.dbuild({"images", "inspect", "pulled/app:1"});
  REQUIRE(image.exit_code == 0);
  CHECK(quiet.out == json::parse(image.out)["manifest"]["config"]["digest"].get<std::string>() + "\n");

  auto listed = space.workspace.dbuild({"images"});
  CHECK_THAT(listed.out, Catch::Contains("base/busybox"));

  // With the registry gone, the base comes from the image store; --pull insists on the registry.
  space.registry.stop();
  auto offline = space.build("FROM " + space.base + "\nRUN echo again > /again\n", {});
  INFO(offline.err);
  CHECK(offline.exit_code == 0);
  auto pull = space.build("FROM " + space.base + "\nRUN echo again > /again\n", {"--pull"});
  CHECK(pull.exit_code == 1);
  CHECK_THAT(pull.err, Catch::Contains(space.registry.host()));
}

TEST_CASE("FROM an index picks this machine's platform", "[integration][registry][pull]") {
  RegistryWorkspace space;
  // An index of the busybox manifest (this machine's architecture) and an image for another one.
  const std::string here = dbuild::sdk::Platform::host().architecture;
  const std::string other = here == "arm64" ? "amd64" : "arm64";
  dbuild::test::LocalStore store;
  dbuild::test::TestImage arm(other, {dbuild::test::random_bytes(1024, 3)});
  arm.write_to(*store.store);
  dbuild::test::CountingClient client;
  const std::string multi = space.registry.host() + "/base/multi:1";
  REQUIRE(client->push_image(dbuild::test::reference(space.registry.host() + "/base/multi:arm"), arm.descriptor,
                             *store.store));
  // The busybox manifest, copied into the index's repository (registries check what an index names).
  const std::string amd = space.registry.host() + "/base/multi:amd";
  auto copied = dbuild::test::run_skopeo({"copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                                          "docker://" + space.base, "docker://" + amd});
  REQUIRE(copied.exit_code == 0);
  auto raw = dbuild::test::run_skopeo({"inspect", "--tls-verify=false", "--raw", "docker://" + amd});
  REQUIRE(raw.exit_code == 0);
  json index = {{"schemaVersion", 2},
                {"mediaType", "application/vnd.oci.image.index.v1+json"},
                {"manifests",
                 {{{"mediaType", arm.descriptor.media_type},
                   {"digest", arm.descriptor.digest.str()},
                   {"size", arm.descriptor.size},
                   {"platform", {{"os", "linux"}, {"architecture", other}}}},
                  {{"mediaType", json::parse(raw.out)["mediaType"]},
                   {"digest", skopeo_inspect(amd)["Digest"]},
                   {"size", raw.out.size()},
                   {"platform", {{"os", "linux"}, {"architecture", here}}}}}}};
  auto pushed = client->push_manifest(dbuild::test::reference(multi), index.dump(),
                                      "application/vnd.oci.image.index.v1+json");
  INFO(pushed.status().to_string());
  REQUIRE(pushed);

  auto result = space.build("FROM " + multi + "\nRUN uname -m > /arch\n", {"-t", "multi/app:1"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto image = json::parse(space.workspace.dbuild({"images", "inspect", "multi/app:1"}).out);
  CHECK(image["config"]["architecture"] == here);
}

TEST_CASE("a push to a registry that is down fails clearly, and once it is back the push completes",
          "[integration][registry][push]") {
  RegistryWorkspace space;
  const std::string app = space.registry.host() + "/x/down:1";
  const std::string dockerfile = "FROM " + space.base + "\nRUN echo down > /down\n";
  auto first = space.build(dockerfile, {"-t", "down/app:1"});  // pulls the base while the registry is up
  REQUIRE(first.exit_code == 0);
  space.registry.stop();
  auto failed = space.build(dockerfile, {"--push", "-t", app});
  CHECK(failed.exit_code == 1);
  CHECK_THAT(failed.err, Catch::Contains("error: exporting to image: pushing " + app));
  CHECK_THAT(failed.err, Catch::Contains(space.registry.host()));
  space.registry.start();
  auto tags = dbuild::test::run_skopeo({"list-tags", "--tls-verify=false", "docker://" + space.registry.host() + "/x/down"});
  CHECK(tags.out.find("\"1\"") == std::string::npos);  // no tag came of the failed push
  auto second = space.build(dockerfile, {"--push", "-t", app});
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  auto copied = dbuild::test::run_skopeo({"copy", "--src-tls-verify=false", "docker://" + app,
                                          "oci:" + space.path("copy").string() + ":1"});
  INFO(copied.err);
  CHECK(copied.exit_code == 0);
}

TEST_CASE("bad push and result-file arguments fail before the build runs", "[integration][registry][push]") {
  RegistryWorkspace space;
  const std::string dockerfile = "FROM " + space.base + "\nRUN echo never > /never\n";
  auto no_name = space.build(dockerfile, {"--push"});
  CHECK(no_name.exit_code == 2);
  CHECK_THAT(no_name.err, Catch::Contains("push=true needs a name"));
  auto bad_name = space.build(dockerfile, {"-o", "type=registry,name=bad name:1"});
  CHECK(bad_name.exit_code == 2);
  CHECK_THAT(bad_name.err, Catch::Contains("name bad name:1"));
  auto bad_attribute = space.build(dockerfile, {"-o", "type=image,name=x/y:1,colour=blue"});
  CHECK(bad_attribute.exit_code == 2);
  CHECK_THAT(bad_attribute.err, Catch::Contains("unknown attribute \"colour\" for the image exporter"));
  auto bad_metadata = space.build(dockerfile, {"-t", "x/y:1", "--metadata-file", "/nonexistent/dir/m.json"});
  CHECK(bad_metadata.exit_code == 2);
  CHECK_THAT(bad_metadata.err, Catch::Contains("--metadata-file /nonexistent/dir/m.json: directory /nonexistent/dir does not exist"));
  for (const auto* result : {&no_name, &bad_name, &bad_attribute, &bad_metadata})
    CHECK(result->err.find("RUN echo never") == std::string::npos);
}

TEST_CASE("a docker-image:// build context is pulled from its registry", "[integration][registry][pull]") {
  RegistryWorkspace space;
  auto result = space.build("FROM base\nCOPY --from=tools /bin/busybox /copied-busybox\n",
                            {"--build-context", "base=docker-image://" + space.base, "--build-context",
                             "tools=docker-image://" + space.base, "-t", "context/app:1"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.err, Catch::Contains("[internal] load metadata for " + space.base));
  auto config = json::parse(space.workspace.dbuild({"images", "inspect", "context/app:1"}).out);
  CHECK(config["manifest"]["layers"].size() == 2);
}

namespace {

// The --debug lines of one exchange whose URL has `url_part` and `digest`'s hex (which a query
// may escape: "sha256%3A...").
std::vector<std::string> exchanges(const std::string& log, const std::string& method, const std::string& url_part,
                                   const std::string& digest) {
  std::vector<std::string> found;
  std::istringstream lines(log);
  const auto hex = digest.substr(digest.find(':') + 1);
  for (std::string line; std::getline(lines, line);)
    if (line.find("debug: " + method + " ") != std::string::npos && line.find(url_part) != std::string::npos &&
        line.find(hex) != std::string::npos)
      found.push_back(line);
  return found;
}

}  // namespace

TEST_CASE("a push in a later process mounts the layers of a base an earlier one pulled, and a stale location still pushes",
          "[integration][registry][push][mount]") {
  RegistryWorkspace space;
  const std::string base = space.registry.host() + "/library/base:1";
  auto copied = dbuild::test::run_skopeo({"copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                                          "docker://" + space.base, "docker://" + base});
  INFO(copied.err);
  REQUIRE(copied.exit_code == 0);
  std::vector<std::string> layers;
  auto inspected = skopeo_inspect(base);
  for (const auto& layer : inspected["Layers"]) layers.push_back(layer.get<std::string>());
  INFO(inspected.dump());
  REQUIRE_FALSE(layers.empty());

  auto first = space.build("FROM " + base + "\nLABEL stage=first\n", {"-t", "first/app:1"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);

  write_file(space.workspace.context / "hello.txt", "hello from team/app\n");
  const std::string app = space.registry.host() + "/team/app:1";
  auto second = space.build("FROM " + base + "\nCOPY hello.txt /hello.txt\n", {"--push", "-t", app}, {}, {"--debug"});
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  for (const auto& layer : layers) {
    INFO(layer);
    CHECK(exchanges(second.err, "GET", "/v2/library/base/blobs/", layer).empty());  // not pulled again here
    auto mounts = exchanges(second.err, "POST", "/v2/team/app/blobs/uploads/?mount=", layer);
    REQUIRE(mounts.size() == 1);
    CHECK_THAT(mounts[0], Catch::Contains("from=library/base") && Catch::EndsWith("-> 201"));
    CHECK(exchanges(second.err, "PUT", "/v2/team/app/blobs/uploads/", layer).empty());
  }
  auto pulled = dbuild::test::run_skopeo({"copy", "--src-tls-verify=false", "docker://" + app, "oci:" + space.path("app").string()});
  INFO(pulled.err);
  CHECK(pulled.exit_code == 0);

  // Neither repository that held the layers has them any more: team/app is deleted, and
  // library/base keeps its manifest (FROM resolves it) but not its layers. Each remembered
  // location is stale, so the mount is refused and the layers go up.
  fs::remove_all(space.registry.repository_path("team/app"));
  for (const auto& layer : layers)
    REQUIRE(fs::remove_all(space.registry.repository_path("library/base") / "_layers" / "sha256" /
                           layer.substr(layer.find(':') + 1)) > 0);
  const std::string other = space.registry.host() + "/team/other:1";
  auto third = space.build("FROM " + base + "\nCOPY hello.txt /again.txt\n", {"--push", "-t", other}, {}, {"--debug"});
  INFO(third.err);
  REQUIRE(third.exit_code == 0);
  for (const auto& layer : layers) {
    INFO(layer);
    auto mounts = exchanges(third.err, "POST", "/v2/team/other/blobs/uploads/?mount=", layer);
    REQUIRE(mounts.size() == 1);
    CHECK_THAT(mounts[0], Catch::EndsWith("-> 202"));
    auto uploads = exchanges(third.err, "PUT", "/v2/team/other/blobs/uploads/", layer);
    REQUIRE(uploads.size() == 1);
    CHECK_THAT(uploads[0], Catch::EndsWith("-> 201"));
  }
  auto pulled_other = dbuild::test::run_skopeo(
      {"copy", "--src-tls-verify=false", "docker://" + other, "oci:" + space.path("other").string()});
  INFO(pulled_other.err);
  CHECK(pulled_other.exit_code == 0);
}
