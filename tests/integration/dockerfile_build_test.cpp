// dockerfile_build_test.cpp: `dbuild build` options on Dockerfiles with the real binary, checked
// from outside: secrets, --target, --build-arg, --label, --no-cache(-filter), --network,
// ONBUILD triggers from a stored image, ADD of a local tarball and of an http URL, and stages
// running at once (or one by one under DBUILD_MAX_PARALLELISM=1).
#include <algorithm>
#include <sstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dockerfile_workspace.hpp"

namespace fs = std::filesystem;
using dbuild::test::any_contains;
using dbuild::test::build_dockerfile;
using dbuild::test::cached_steps;
using dbuild::test::image_config;
using dbuild::test::read_file;
using dbuild::test::run_process;
using dbuild::test::started_steps;
using dbuild::test::Workspace;
using dbuild::test::write_dockerfile;
using dbuild::test::write_file;
using nlohmann::json;

namespace {

const char* const kStages =
    "FROM busybox AS one\nRUN echo one > /one\n\n"
    "FROM one AS two\nRUN echo two > /two\n\n"
    "FROM busybox AS other\nRUN echo other > /other\n";

// True when `needle` occurs in any file under `dir` (the state root: blobs, snapshots, database).
bool appears_under(const fs::path& dir, const std::string& needle) {
  auto found = run_process({"grep", "-r", "-l", "-F", "-a", needle, dir.string()});
  return found.exit_code == 0;
}

}  // namespace

TEST_CASE("secrets from a file and from the environment reach RUN and stay out of the image",
          "[integration][dockerfile]") {
  Workspace workspace;
  const std::string from_file = "file-secret-6d1f", from_env = "env-secret-93ab";
  write_file(workspace.dir.path() / "secret.txt", from_file);
  write_dockerfile(workspace.context,
                   "FROM busybox\n"
                   "RUN --mount=type=secret,id=x cat /run/secrets/x && echo\n"
                   "RUN --mount=type=secret,id=y,required=true cat /run/secrets/y && echo > /done\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(
      workspace, {{"--secret", "id=x,src=" + (workspace.dir.path() / "secret.txt").string(), "--secret",
                   "id=y,env=TEST_SECRET_VAR", "-t", "with-secrets", "-o", out.string(), workspace.context.string()},
                  "",
                  {{"TEST_SECRET_VAR", from_env}}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.err, Catch::Contains(from_file) && Catch::Contains(from_env));
  CHECK(fs::exists(out / "done"));
  CHECK_FALSE(fs::exists(out / "run/secrets/x"));
  CHECK_FALSE(fs::exists(out / "run/secrets/y"));
  const auto config = image_config(workspace, "with-secrets").dump();
  CHECK(config.find(from_file) == std::string::npos);
  CHECK(config.find(from_env) == std::string::npos);
  CHECK_FALSE(appears_under(workspace.root, from_file));
  CHECK_FALSE(appears_under(workspace.root, from_env));
}

TEST_CASE("a required secret that was not given fails its step clearly", "[integration][dockerfile]") {
  Workspace workspace;
  write_dockerfile(workspace.context,
                   "FROM busybox\nRUN --mount=type=secret,id=token,required=true cat /run/secrets/token\n");
  auto result = build_dockerfile(workspace, {{workspace.context.string()}});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("[2/2] RUN --mount=type=secret,id=token,required=true") &&
                             Catch::Contains("secret token not found") && Catch::Contains(">>> RUN --mount"));

  auto bad_file =
      build_dockerfile(workspace, {{"--secret", "id=token,src=/no/such/secret", workspace.context.string()}});
  CHECK(bad_file.exit_code == 1);
  CHECK_THAT(bad_file.err, Catch::Contains("failed to stat /no/such/secret"));
}

TEST_CASE("the --target stage is built with what it needs, nothing else", "[integration][dockerfile]") {
  Workspace workspace;
  write_dockerfile(workspace.context, kStages);
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(
      workspace, {{"--target", "two", "--progress", "rawjson", "-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "one") == "one\n");
  CHECK(read_file(out / "two") == "two\n");
  CHECK_FALSE(fs::exists(out / "other"));
  CHECK_FALSE(any_contains(started_steps(result.err), "echo other"));

  auto unknown = build_dockerfile(workspace, {{"--target", "nope", workspace.context.string()}});
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.err, Catch::Contains("nope"));
}

TEST_CASE("build args come from --build-arg NAME=VALUE or, by name alone, from the environment",
          "[integration][dockerfile]") {
  Workspace workspace;
  write_dockerfile(workspace.context,
                   "FROM busybox\nARG GREETING=hello\nARG FROM_ENV\nARG UNSET=default\n"
                   "RUN echo \"$GREETING|$FROM_ENV|$UNSET\" > /args\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(workspace, {{"--build-arg", "GREETING=bonjour", "--build-arg", "FROM_ENV",
                                              "--build-arg", "UNSET", "-o", out.string(), workspace.context.string()},
                                             "",
                                             {{"FROM_ENV", "from the environment"}, {"UNSET", std::nullopt}}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  // A name alone whose variable is not set is dropped, so the ARG keeps its default.
  CHECK(read_file(out / "args") == "bonjour|from the environment|default\n");
}

TEST_CASE("labels given with --label land in the image config, over the Dockerfile's", "[integration][dockerfile]") {
  Workspace workspace;
  write_dockerfile(workspace.context, "FROM busybox\nLABEL owner=dockerfile keep=me\n");
  auto result = build_dockerfile(workspace, {{"--label", "owner=cli", "--label", "org.example.build=42", "-t",
                                              "labelled", workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto labels = image_config(workspace, "labelled")["config"]["Labels"];
  CHECK(labels == json({{"owner", "cli"}, {"keep", "me"}, {"org.example.build", "42"}}));
}

TEST_CASE("with --no-cache every step reruns, with --no-cache-filter only the named stage's",
          "[integration][dockerfile]") {
  Workspace workspace;
  write_dockerfile(workspace.context, kStages);
  auto build = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), {"--target", "two", "--progress", "rawjson", workspace.context.string()});
    auto result = build_dockerfile(workspace, {extra});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result.err;
  };
  build({});
  auto cached = build({});
  CHECK(any_contains(cached_steps(cached), "RUN echo one"));
  CHECK(any_contains(cached_steps(cached), "RUN echo two"));
  CHECK(started_steps(cached).empty());

  auto uncached = build({"--no-cache"});
  CHECK(any_contains(started_steps(uncached), "RUN echo one"));
  CHECK(any_contains(started_steps(uncached), "RUN echo two"));

  auto filtered = build({"--no-cache-filter", "two"});
  CHECK(any_contains(cached_steps(filtered), "RUN echo one"));
  CHECK_FALSE(any_contains(started_steps(filtered), "RUN echo one"));
  CHECK(any_contains(started_steps(filtered), "RUN echo two"));
}

TEST_CASE("RUN under --network none has only a loopback interface", "[integration][dockerfile]") {
  Workspace workspace;
  write_dockerfile(workspace.context, "FROM busybox\nRUN ls /sys/class/net > /interfaces\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(workspace, {{"--network", "none", "-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "interfaces") == "lo\n");
}

TEST_CASE("ONBUILD triggers of a stored image run in the build that uses it", "[integration][dockerfile]") {
  Workspace workspace;
  auto base_context = workspace.dir.path() / "onbuild";
  write_dockerfile(base_context,
                   "FROM busybox\nONBUILD COPY a.txt /from-trigger.txt\nONBUILD RUN echo ran > /trigger-ran\n");
  auto base = build_dockerfile(workspace, {{"-t", "onbuild-base", base_context.string()}});
  INFO(base.err);
  REQUIRE(base.exit_code == 0);
  CHECK(image_config(workspace, "onbuild-base")["config"]["OnBuild"] ==
        json({"COPY a.txt /from-trigger.txt", "RUN echo ran > /trigger-ran"}));

  write_dockerfile(workspace.context, "FROM onbuild-base\nRUN cat /from-trigger.txt /trigger-ran > /result\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(workspace, {{"-t", "onbuild-child", "-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "result") == "alpha\nran\n");
  CHECK_FALSE(image_config(workspace, "onbuild-child")["config"].contains("OnBuild"));
}

TEST_CASE("ADD extracts a local tar.gz into the destination", "[integration][dockerfile]") {
  Workspace workspace;
  write_file(workspace.dir.path() / "archive/inner/file.txt", "inside\n");
  auto archive = workspace.context / "bundle.tar.gz";
  REQUIRE(run_process({"tar", "-C", (workspace.dir.path() / "archive").string(), "-czf", archive.string(), "inner"})
              .exit_code == 0);
  write_dockerfile(workspace.context, "FROM busybox\nADD bundle.tar.gz /opt/\nCOPY bundle.tar.gz /copied/\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(workspace, {{"-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "opt/inner/file.txt") == "inside\n");
  CHECK_FALSE(fs::exists(out / "opt/bundle.tar.gz"));
  CHECK(fs::is_regular_file(out / "copied/bundle.tar.gz"));
}

TEST_CASE("ADD of an http URL checks --checksum: a match is fetched, a mismatch fails", "[integration][dockerfile]") {
  Workspace workspace;
  auto served = workspace.dir.path() / "served";
  write_file(served / "payload.txt", "over http\n");
  dbuild::test::HttpServer server(served);
  const auto url = server.url("payload.txt");
  const auto digest = dbuild::test::sha256sum_of(served / "payload.txt");
  write_dockerfile(workspace.context, "FROM busybox\nADD --checksum=" + digest + " " + url + " /fetched.txt\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(workspace, {{"-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "fetched.txt") == "over http\n");

  const std::string wrong = "sha256:" + std::string(64, '0');
  write_dockerfile(workspace.context, "FROM busybox\nADD --checksum=" + wrong + " " + url + " /fetched.txt\n");
  auto mismatch = build_dockerfile(workspace, {{workspace.context.string()}});
  CHECK(mismatch.exit_code == 1);
  CHECK_THAT(mismatch.err,
             Catch::Contains(url) && Catch::Contains("mismatch") && Catch::Contains(wrong) && Catch::Contains(digest));
  CHECK_THAT(mismatch.err, Catch::Contains(">>> ADD --checksum=" + wrong));  // the line it comes from
}


TEST_CASE("independent stages run at once, more of them than CPUs, and one by one under DBUILD_MAX_PARALLELISM=1",
          "[integration][dockerfile][parallel]") {
  Workspace workspace;
  // Issue 8's W3: stages that wait. Four, more than the 2 CPUs of a small machine.
  std::string dockerfile;
  for (int i = 0; i < 4; ++i) dockerfile += fmt::format("FROM busybox AS s{0}\nRUN sleep 0.5 && echo {0} > /s{0}\n\n", i);
  dockerfile += "FROM busybox\n";
  for (int i = 0; i < 4; ++i) dockerfile += fmt::format("COPY --from=s{0} /s{0} /s{0}\n", i);
  write_dockerfile(workspace.context, dockerfile);

  // Each stage's RUN: when it started and completed, from the rawjson events (fixed-width UTC
  // timestamps, which sort as text).
  auto run_times = [&](std::optional<std::string> max_parallelism) {
    auto result = build_dockerfile(workspace, {{"--no-cache", "--progress", "rawjson", workspace.context.string()},
                                               "",
                                               {{"DBUILD_MAX_PARALLELISM", max_parallelism}}});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    std::vector<std::pair<std::string, std::string>> times(4);
    std::istringstream lines(result.err);
    for (std::string line; std::getline(lines, line);) {
      auto event = json::parse(line, nullptr, false);
      if (!event.is_object()) continue;
      const auto name = event.value("name", "");
      for (int i = 0; i < 4; ++i) {
        if (name.find(fmt::format("RUN sleep 0.5 && echo {0} ", i)) == std::string::npos) continue;
        if (event.value("type", "") == "started") times[i].first = event.value("timestamp", "");
        if (event.value("type", "") == "completed") times[i].second = event.value("timestamp", "");
      }
    }
    for (const auto& [started, completed] : times) {
      REQUIRE_FALSE(started.empty());
      REQUIRE_FALSE(completed.empty());
    }
    return times;
  };

  SECTION("by default every stage's RUN starts before any of them completes") {
    auto times = run_times(std::nullopt);
    std::string last_start, first_end = "~";
    for (const auto& [started, completed] : times) {
      last_start = std::max(last_start, started);
      first_end = std::min(first_end, completed);
    }
    CHECK(last_start < first_end);
  }
  SECTION("with DBUILD_MAX_PARALLELISM=1 no two of them overlap") {
    auto times = run_times("1");
    std::sort(times.begin(), times.end());
    for (std::size_t i = 1; i < times.size(); ++i) CHECK(times[i - 1].second <= times[i].first);
  }
}

// A base image whose config claims another image's diff id for a layer of its own: its
// snapshot would be found under that image's chain id by every later build.
TEST_CASE("a layer whose content is not the diff id its config names is refused and poisons nothing",
          "[integration][dockerfile][security]") {
  Workspace workspace;
  const auto impostor_files = workspace.dir.path() / "impostor-files";
  fs::create_directories(impostor_files);
  write_file(impostor_files / "evil", "not busybox\n");
  const auto layout = workspace.dir.path() / "impostor";
  auto impostor = dbuild::test::make_oci_layout(layout, "latest", {impostor_files});
  REQUIRE(impostor.diff_ids.size() == 1);
  REQUIRE(workspace.base.diff_ids.size() == 1);

  // The config says its layer is busybox's; the blob is still the impostor's own.
  auto blob_path = [&](const std::string& digest) { return layout / "blobs" / "sha256" / digest.substr(7); };
  auto store = [&](const std::string& text) {
    auto temp = layout / "new-blob";
    write_file(temp, text);
    auto digest = dbuild::test::sha256sum_of(temp);
    fs::rename(temp, blob_path(digest));
    return json{{"digest", digest}, {"size", text.size()}};
  };
  auto index = json::parse(read_file(layout / "index.json"));
  auto manifest = json::parse(read_file(blob_path(index["manifests"][0]["digest"])));
  auto config = json::parse(read_file(blob_path(manifest["config"]["digest"])));
  config["rootfs"]["diff_ids"] = {workspace.base.diff_ids[0]};
  manifest["config"].update(store(config.dump()));
  index["manifests"][0].update(store(manifest.dump()));
  write_file(layout / "index.json", index.dump());

  write_dockerfile(workspace.context, "FROM impostor\nRUN echo never\n");
  auto refused = build_dockerfile(
      workspace, {{"--build-context", "impostor=oci-layout://" + layout.string() + ":latest", workspace.context.string()}});
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains(impostor.diff_ids[0]) && Catch::Contains("not the " + workspace.base.diff_ids[0]));

  // busybox's chain id was not taken by the impostor's files.
  write_dockerfile(workspace.context, "FROM busybox\nRUN test ! -e /evil && echo clean\n");
  auto clean = build_dockerfile(workspace, {{workspace.context.string()}});
  INFO(clean.err);
  CHECK(clean.exit_code == 0);
  CHECK_THAT(clean.err, Catch::Contains("clean"));
}
