// engine_store_test.cpp: what the engine keeps and hands out, checked from outside: the tar
// exporter (GNU tar), the image store (ls, inspect, rm), prune, two builds on one state root at
// once, the copying snapshotter, reproducible layers with SOURCE_DATE_EPOCH, and destinations
// refused before anything runs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "build_workspace.hpp"

namespace fs = std::filesystem;
using dbuild::test::events_of;
using dbuild::test::names_with;
using dbuild::test::op;
using dbuild::test::read_file;
using dbuild::test::Workspace;
using dbuild::test::write_file;
using nlohmann::json;

namespace {

json copy_and_run(const Workspace& workspace, const std::string& marker) {
  return {{"ops",
           {workspace.base_op("[1/3] FROM busybox"),
            op("ctx", "source", {{"kind", "local"}, {"identifier", "context"}}),
            op("copy", "file", {{"base", "base"}, {"actions", {{{"copy", {{"source", "ctx"}, {"src", "a.txt"}, {"dest", "/a.txt"}}}}}}},
               "[2/3] COPY a.txt /a.txt"),
            op("run", "exec", {{"root", "copy"}, {"args", {"/bin/sh", "-c", "echo " + marker + " > /marker; mkdir -p /d; ln /marker /d/hard"}}},
               "[3/3] RUN marker")}},
          {"output", "run"}};
}

}  // namespace

TEST_CASE("the tar exporter writes the root file system that GNU tar reads back", "[integration][engine][export]") {
  Workspace workspace;
  auto tarball = workspace.dir.path() / "out.tar";
  auto result = workspace.build(copy_and_run(workspace, "tar"), {"--output", "type=tar,dest=" + tarball.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto extracted = workspace.dir.path() / "extracted";
  fs::create_directories(extracted);
  auto untar = dbuild::test::run_process({"tar", "-xf", tarball.string(), "-C", extracted.string(), "--numeric-owner"});
  REQUIRE(untar.exit_code == 0);
  CHECK(read_file(extracted / "a.txt") == "alpha\n");
  CHECK(read_file(extracted / "marker") == "tar\n");
  CHECK(fs::is_symlink(extracted / "bin/sh"));
  CHECK(fs::equivalent(extracted / "marker", extracted / "d/hard"));
}

TEST_CASE("the image store lists, inspects and removes images", "[integration][engine][images]") {
  Workspace workspace;
  REQUIRE(workspace.build(copy_and_run(workspace, "img"), {"-t", "example/one", "-t", "example/two:v2"}).exit_code == 0);
  auto listed = workspace.dbuild({"images"});
  REQUIRE(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains("docker.io/example/one:latest") && Catch::Contains("docker.io/example/two:v2"));

  auto inspected = workspace.dbuild({"images", "inspect", "example/two:v2", "--format", "json"});
  REQUIRE(inspected.exit_code == 0);
  auto doc = json::parse(inspected.out);
  CHECK(doc["manifest"]["mediaType"] == "application/vnd.oci.image.manifest.v1+json");
  CHECK(doc["config"]["os"] == "linux");
  CHECK(doc["config"].contains("rootfs"));

  REQUIRE(workspace.dbuild({"images", "rm", "example/one"}).exit_code == 0);
  auto gone = workspace.dbuild({"images", "inspect", "example/one"});
  CHECK(gone.exit_code == 1);
  CHECK_THAT(gone.err, Catch::Contains("no such image: docker.io/example/one:latest"));
  CHECK(workspace.dbuild({"images", "inspect", "example/two:v2"}).exit_code == 0);
}

TEST_CASE("prune removes build cache but not what a stored image needs", "[integration][engine][prune]") {
  Workspace workspace;
  auto definition = copy_and_run(workspace, "prune");
  REQUIRE(workspace.build(definition, {"-t", "kept"}).exit_code == 0);
  auto pruned = workspace.dbuild({"prune", "--force"});
  REQUIRE(pruned.exit_code == 0);
  CHECK_THAT(pruned.out, Catch::StartsWith("Total:"));

  auto again = workspace.build(definition);
  REQUIRE(again.exit_code == 0);
  CHECK(names_with(events_of(again.err), "started").count("[3/3] RUN marker") == 1);

  auto inspected = workspace.dbuild({"images", "inspect", "kept"});
  REQUIRE(inspected.exit_code == 0);
  for (const auto& layer : json::parse(inspected.out)["manifest"]["layers"]) {
    auto digest = layer["digest"].get<std::string>();
    CHECK(fs::exists(workspace.root / "content/blobs/sha256" / digest.substr(7)));
  }
  CHECK(workspace.dbuild({"prune", "--all", "--force"}).exit_code == 0);
  CHECK(workspace.dbuild({"du"}).exit_code == 0);
  auto bad = workspace.dbuild({"prune", "--force", "--keep-storage", "lots"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("two builds on one state root at once both complete", "[integration][engine][concurrency]") {
  Workspace workspace;
  auto first_context = workspace.dir.path() / "ctx1";
  auto second_context = workspace.dir.path() / "ctx2";
  for (const auto& [context, marker] : {std::pair{first_context, std::string("first")}, {second_context, std::string("second")}}) {
    write_file(context / "a.txt", marker + "\n");
    auto definition = copy_and_run(workspace, marker);
    definition["ops"][3]["exec"]["args"] = {"/bin/sh", "-c", "sleep 1; echo " + marker + " > /marker"};
    write_file(context / "build.json", definition.dump());
  }
  auto start = [&](const fs::path& context, const std::string& tag) {
    dbuild::test::ProcessOptions options;
    options.environment = {{"DBUILD_PLUGIN_PATH", std::nullopt}};
    return std::make_unique<dbuild::test::BackgroundProcess>(
        std::vector<std::string>{dbuild::test::dbuild_binary().string(), "--root", workspace.root.string(), "build",
                                 "--frontend", "definition", "--progress", "plain", "-t", tag, context.string()},
        options);
  };
  auto one = start(first_context, "concurrent/one");
  auto two = start(second_context, "concurrent/two");
  auto one_result = one->wait();
  auto two_result = two->wait();
  INFO(one_result.err << "\n---\n" << two_result.err);
  CHECK(one_result.exit_code == 0);
  CHECK(two_result.exit_code == 0);
  auto listed = workspace.dbuild({"images"});
  CHECK_THAT(listed.out, Catch::Contains("concurrent/one") && Catch::Contains("concurrent/two"));
}

TEST_CASE("the copying snapshotter builds the same tree where overlay is not used", "[integration][engine][copy]") {
  Workspace workspace;
  auto definition = copy_and_run(workspace, "copied");
  definition["ops"].push_back(op("rm", "file", {{"base", "run"}, {"actions", {{{"rm", {{"path", "/bin/vi"}}}}}}}, "rm vi"));
  definition["output"] = "rm";
  auto out = workspace.dir.path() / "out";
  auto result = workspace.build(definition, {"-t", "copied", "-o", out.string()}, {{"DBUILD_SNAPSHOTTER", "copy"}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "marker") == "copied\n");
  CHECK_FALSE(fs::exists(fs::symlink_status(out / "bin/vi")));
  auto info = workspace.dbuild({"images", "inspect", "copied"});
  REQUIRE(info.exit_code == 0);
  CHECK(json::parse(info.out)["manifest"]["layers"].size() == 4);
}

TEST_CASE("with SOURCE_DATE_EPOCH two uncached builds give the same image", "[integration][engine][reproducible]") {
  Workspace workspace;
  auto definition = copy_and_run(workspace, "same");
  auto digest_of = [&](const std::string& tag) {
    auto result = workspace.build(definition, {"--no-cache", "-t", tag, "--build-arg", "SOURCE_DATE_EPOCH=1700000000"});
    REQUIRE(result.exit_code == 0);
    auto inspected = workspace.dbuild({"images", "inspect", tag});
    REQUIRE(inspected.exit_code == 0);
    return json::parse(inspected.out)["digest"].get<std::string>();
  };
  auto first = digest_of("repro/one");
  auto second = digest_of("repro/two");
  CHECK(first == second);
}

TEST_CASE("a bad export destination is refused before anything runs", "[integration][engine][export]") {
  Workspace workspace;
  auto result = workspace.build(copy_and_run(workspace, "never"),
                                {"--output", "type=tar,dest=/no/such/dir/out.tar"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("directory /no/such/dir does not exist"));
  CHECK(names_with(events_of(result.err), "started").empty());
  auto unknown = workspace.build(copy_and_run(workspace, "never"), {"--output", "type=teleport"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("no exporter plugin named \"teleport\""));
}
