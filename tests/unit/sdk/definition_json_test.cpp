// definition_json_test.cpp: the Definition's interchange JSON (round trip, every rejection with
// its message) and the canonical form that op digests are computed from.
#include <catch2/catch.hpp>

#include <dbuild/sdk/definition_json.hpp>

namespace sdk = dbuild::sdk;

namespace {

sdk::Definition sample_definition() {
  sdk::Definition definition;
  auto base = definition.add(sdk::SourceOp{.kind = sdk::SourceKind::OciLayout, .identifier = "/layouts/busybox:1"},
                             {.description = "[1/4] FROM busybox"});
  auto context = definition.add(sdk::SourceOp{.kind = sdk::SourceKind::Local,
                                              .identifier = "context",
                                              .exclude_patterns = {"*.log"}});
  sdk::ExecOp run{.root = base, .args = {"/bin/sh", "-c", "echo hi > /hi"}, .env = {"A=1"}, .cwd = "/work"};
  run.mounts.push_back(sdk::Mount{.type = sdk::MountType::Cache, .target = "/cache", .cache_id = "c1"});
  run.mounts.push_back(sdk::Mount{.type = sdk::MountType::Bind, .target = "/src", .source = context});
  run.network = sdk::NetworkMode::None;
  auto ran = definition.add(run, {.description = "[2/4] RUN echo hi", .location = sdk::SourceLocation{"Dockerfile", 3, 3}});
  sdk::FileOp file{.base = ran};
  file.actions.push_back(sdk::CopyAction{.source = context, .src = "app/", .dest = "/app/", .chown = sdk::Ownership{"1000", ""}});
  file.actions.push_back(sdk::MkdirAction{.path = "/data", .mode = 0700, .make_parents = true});
  file.actions.push_back(sdk::MkfileAction{.path = "/data/f", .data = "x\n"});
  file.actions.push_back(sdk::RmAction{.path = "/tmp/*", .allow_not_found = true, .allow_wildcard = true});
  file.actions.push_back(sdk::SymlinkAction{.target = "../app", .path = "/data/app", .timestamp = 1700000000});
  auto copied = definition.add(file, {.description = "[3/4] COPY app/ /app/"});
  auto merged = definition.add(sdk::MergeOp{.inputs = {base, copied}});
  definition.output = definition.add(sdk::DiffOp{.lower = base, .upper = merged}, {.ignore_cache = true});
  return definition;
}

std::string parse_error(const std::string& text) {
  auto parsed = sdk::definition_from_json(text, "build.json");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.status().code() == sdk::Code::InvalidArgument);
  return parsed.status().message();
}

}  // namespace

TEST_CASE("a definition survives a JSON round trip unchanged", "[sdk][definition]") {
  auto definition = sample_definition();
  auto text = sdk::definition_to_json(definition);
  auto parsed = sdk::definition_from_json(text, "build.json");
  REQUIRE(parsed);
  REQUIRE(parsed->size() == definition.size());
  for (sdk::OpIndex i = 0; i < definition.size(); ++i) {
    INFO("op " << i);
    CHECK(parsed->node(i).op == definition.node(i).op);
    CHECK(parsed->node(i).metadata.description == definition.node(i).metadata.description);
    CHECK(parsed->node(i).metadata.location == definition.node(i).metadata.location);
    CHECK(parsed->node(i).metadata.ignore_cache == definition.node(i).metadata.ignore_cache);
  }
  CHECK(parsed->output == definition.output);
  CHECK(sdk::definition_to_json(*parsed) == text);
}

TEST_CASE("ops may be listed in any order: parsing puts inputs first", "[sdk][definition]") {
  auto parsed = sdk::definition_from_json(R"({"ops": [
      {"id": "run", "exec": {"root": "base", "args": ["true"]}},
      {"id": "base", "source": {"kind": "image", "identifier": "busybox"}}], "output": "run"})",
                                          "build.json");
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 2);
  CHECK(std::holds_alternative<sdk::SourceOp>(parsed->node(0).op));
  CHECK(std::get<sdk::ExecOp>(parsed->node(1).op).root == 0u);
  CHECK(parsed->output == 1u);
}

TEST_CASE("definition parsing rejects bad input with a message naming the op and field", "[sdk][definition]") {
  CHECK(parse_error("{") .starts_with("build.json: not valid JSON"));
  CHECK(parse_error(R"({"ops": [{"id": "a", "exec": {"argz": []}}]})") ==
        "build.json: op \"a\": exec: unknown field \"argz\"");
  CHECK(parse_error(R"({"ops": [{"id": "a", "exec": {"root": "nope"}}]})") ==
        "build.json: op \"a\": exec.root: input \"nope\" is not defined");
  CHECK(parse_error(R"({"ops": [{"id": "a", "exec": {"root": "b"}}, {"id": "b", "file": {"base": "a"}}]})") ==
        "build.json: cycle: a -> b -> a");
  CHECK(parse_error(R"({"ops": [{"id": "a", "exec": {"root": "a"}}]})") == "build.json: cycle: a -> a");
  CHECK(parse_error(R"({"ops": [{"id": "a", "teleport": {}}]})") ==
        "build.json: op \"a\": unknown op kind \"teleport\" (known: source, exec, file, merge, diff)");
  CHECK(parse_error(R"({"ops": [{"id": "a", "source": {}, "exec": {}}]})") ==
        "build.json: op \"a\": has both \"exec\" and \"source\"");
  CHECK(parse_error(R"({"ops": [{"id": "a", "source": {"kind": "ftp"}}]})") ==
        "build.json: op \"a\": source.kind: unknown value \"ftp\" (known: image, local, oci-layout, git, http)");
  CHECK(parse_error(R"({"ops": [{"id": "a", "exec": {"args": "true"}}]})") ==
        "build.json: op \"a\": exec.args: expected an array of strings");
  CHECK(parse_error(R"({"ops": [{"id": "a", "file": {"actions": [{"chmod": {}}]}}]})") ==
        "build.json: op \"a\": file.actions[0]: unknown action \"chmod\" (known: copy, mkdir, mkfile, rm, symlink)");
  CHECK(parse_error(R"({"ops": [{"id": "a", "file": {"actions": [{"mkdir": {"pth": "/x"}}]}}]})") ==
        "build.json: op \"a\": file.actions[0].mkdir: unknown field \"pth\"");
  CHECK(parse_error(R"({"ops": [{"id": "a", "source": {}}, {"id": "a", "source": {}}]})") ==
        "build.json: op id \"a\" is used twice");
  CHECK(parse_error(R"({"ops": [{"source": {}}]})") ==
        "build.json: ops[0]: every op needs a non-empty string \"id\"");
  CHECK(parse_error(R"({"ops": [], "output": "x"})") == "build.json: output: \"x\" is not an op id");
  CHECK(parse_error(R"({"ops": [], "extra": 1})") == "build.json: unknown field \"extra\"");
  CHECK(parse_error(R"({"version": 2, "ops": []})") == "build.json: unsupported version 2 (this dbuild reads 1)");
  CHECK(parse_error(R"({"ops": [{"id": "a", "source": {"platform": "linux//x"}}]})")
            .starts_with("build.json: op \"a\": source.platform: invalid platform"));
}

TEST_CASE("canonical op JSON is compact, sorted, without defaults or metadata", "[sdk][definition]") {
  auto key = [](sdk::OpIndex index) { return "sha256:input" + std::to_string(index); };
  sdk::ExecOp exec{.root = 0u, .args = {"make"}};
  CHECK(sdk::canonical_op_json(exec, key) == R"({"exec":{"args":["make"],"root":"sha256:input0"}})");

  SECTION("a changed field changes it") {
    auto other = exec;
    other.env = {"A=1"};
    CHECK(sdk::canonical_op_json(other, key) != sdk::canonical_op_json(exec, key));
  }
  SECTION("another input key changes it") {
    auto other_key = [](sdk::OpIndex) { return std::string("sha256:other"); };
    CHECK(sdk::canonical_op_json(exec, other_key) != sdk::canonical_op_json(exec, key));
  }
  SECTION("a non-default enum is written by name") {
    auto other = exec;
    other.network = sdk::NetworkMode::Host;
    CHECK(sdk::canonical_op_json(other, key) ==
          R"({"exec":{"args":["make"],"network":"host","root":"sha256:input0"}})");
  }
}

TEST_CASE("try_add refuses an input that is not in the definition yet", "[sdk][definition]") {
  sdk::Definition definition;
  auto added = definition.try_add(sdk::ExecOp{.root = 3u});
  REQUIRE_FALSE(added);
  CHECK(added.status().message() == "op 0 names input 3, which is not in the definition yet");
  CHECK(definition.size() == 0);
}
