// instructions_run_test.cpp: RUN's flags beyond BuildKit's test data: --mount types, defaults
// and errors, variables in mount values, --network, --security, --device.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "instructions/instructions.hpp"
#include "parser/parser.hpp"

namespace {

namespace df = dbuild::dockerfile;
using Type = df::RunMount::Type;

dbuild::sdk::Result<df::RunCommand> run_of(const std::string& line) {
  auto parsed = df::parse("FROM a\n" + line + "\n");
  if (!parsed) return parsed.status();
  auto command = df::parse_command(parsed->root.next.at(1));
  if (!command) return command.status();
  return std::get<df::RunCommand>(*command);
}

df::RunCommand run_ok(const std::string& line) {
  auto run = run_of(line);
  INFO(line << ": " << (run ? "" : run.status().message()));
  REQUIRE(run);
  return std::move(*run);
}

std::string run_error(const std::string& line) {
  auto run = run_of(line);
  INFO(line);
  REQUIRE_FALSE(run);
  return run.status().message();
}

TEST_CASE("RUN mounts get BuildKit's read-only defaults per type", "[dockerfile][instructions]") {
  auto run = run_ok(
      "RUN --mount=target=/src --mount=type=cache,target=/c,sharing=LOCKED,id=x,mode=0700,uid=1 "
      "--mount=type=tmpfs,dst=/t,size=64m --mount=type=bind,src=a,from=stage,rw make");
  REQUIRE(run.mounts.size() == 4);
  CHECK(run.mounts[0].type == Type::Bind);
  CHECK(run.mounts[0].readonly);
  CHECK_FALSE(run.mounts[0].readonly_given);
  CHECK(run.mounts[1].type == Type::Cache);
  CHECK_FALSE(run.mounts[1].readonly);
  CHECK(run.mounts[1].sharing == "locked");
  CHECK(run.mounts[1].cache_id == "x");
  CHECK(run.mounts[1].mode == 0700u);
  CHECK(run.mounts[1].uid == 1u);
  CHECK(run.mounts[2].type == Type::Tmpfs);
  CHECK(run.mounts[2].target == "/t");
  CHECK(run.mounts[2].size == 64 * 1024 * 1024);
  CHECK(run.mounts[3].from == "stage");
  CHECK(run.mounts[3].source == "a");
  CHECK_FALSE(run.mounts[3].readonly);
  CHECK(run.mounts[3].readonly_given);
  CHECK(run.command.args == std::vector<std::string>{"make"});
  CHECK(run.flags_used == std::vector<std::string>{"mount"});
}

TEST_CASE("RUN secret and ssh mounts get their ids and targets", "[dockerfile][instructions]") {
  auto run = run_ok(
      "RUN --mount=type=secret,id=token --mount=type=secret,target=/etc/key,required "
      "--mount=type=secret,id=aws,env=AWS_KEY --mount=type=ssh --mount=type=ssh,id=gh,target=/s "
      "--mount=type=ssh,mode=0400 true");
  REQUIRE(run.mounts.size() == 6);
  CHECK(run.mounts[0].cache_id == "token");
  CHECK(run.mounts[0].target == "/run/secrets/token");
  CHECK(run.mounts[0].readonly);
  CHECK(run.mounts[1].cache_id == "key");
  CHECK(run.mounts[1].target == "/etc/key");
  CHECK(run.mounts[1].required);
  CHECK(run.mounts[2].env == "AWS_KEY");
  CHECK(run.mounts[2].env_given);
  CHECK(run.mounts[2].target.empty());
  CHECK(run.mounts[3].cache_id == "default");
  CHECK(run.mounts[3].target == "/run/buildkit/ssh_agent.0");
  CHECK(run.mounts[4].target == "/s");
  CHECK(run.mounts[5].target == "/run/buildkit/ssh_agent.2");
  CHECK(run.mounts[5].mode == 0400u);
}

TEST_CASE("RUN mounts are rejected with BuildKit's messages", "[dockerfile][instructions]") {
  CHECK(run_error("RUN --mount=type=bnid,target=/x true") == "unsupported mount type \"bnid\" (did you mean bind?)");
  CHECK(run_error("RUN --mount=target=/x,mode=0755 true") == "mode not allowed for \"bind\" type mounts");
  CHECK(run_error("RUN --mount=type=cache,target=/x,size=1 true") == "unexpected key 'size' for mount type 'cache'");
  CHECK(run_error("RUN --mount=type=tmpfs,target=/x,size=lots true") == "invalid value for size: lots");
  CHECK(run_error("RUN --mount=type=cache,target=/x,sharing=all true") == "unsupported sharing value \"all\"");
  CHECK(run_error("RUN --mount=type=secret,from=x,id=a true") == "secret mount should not have a from");
  CHECK(run_error("RUN --mount=type=secret true") == "invalid secret mount. one of source, target required");
  CHECK(run_error("RUN --mount=type=secret,id=a,src=b true") == "both source and id can't be set");
  CHECK(run_error("RUN --mount=target=/x,sharing=shared true") == "invalid cache sharing set for bind mount");
  CHECK(run_error("RUN --mount=target=/x,required true") == "unexpected key 'required' for mount type 'bind'");
  CHECK(run_error("RUN --mount=target=/x,readonly=maybe true") == "invalid value for readonly: maybe");
  CHECK(run_error("RUN --mount=target=/x,mode true") == "invalid field 'mode' must be a key=value pair");
  CHECK(run_error("RUN --mount=target=/x,taget=/y true") == "unexpected key 'taget' in 'taget=/y' (did you mean target?)");
  CHECK(run_error("RUN --mount=type=cache,target=/x,mode=9 true") == "invalid value 9 for mode");
  CHECK(run_error("RUN --mount=from=$STAGE,target=/x true") ==
        "'from' doesn't support variable expansion, define alias stage instead");
  CHECK(run_error("RUN --mount=type=ssh,src=/x true") == "ssh does not support source");
  CHECK(run_error("RUN --mount=type=\\\"a,target=/x true").find("failed to parse csv mounts: ") == 0);
}

TEST_CASE("RUN mount values with variables are checked once expanded", "[dockerfile][instructions]") {
  auto run = run_ok("RUN --mount=type=$T,target=$DIR/cache true");
  REQUIRE(run.mount_specs == std::vector<std::string>{"type=$T,target=$DIR/cache"});
  df::WordExpander expander = [](std::string_view word) -> dbuild::sdk::Result<std::string> {
    std::string out(word);
    if (auto at = out.find("$T"); at != std::string::npos) out.replace(at, 2, "cache");
    if (auto at = out.find("$DIR"); at != std::string::npos) out.replace(at, 4, "/root");
    return out;
  };
  REQUIRE(df::expand_run_mounts(run, expander));
  REQUIRE(run.mounts.size() == 1);
  CHECK(run.mounts[0].type == Type::Cache);
  CHECK(run.mounts[0].target == "/root/cache");
  CHECK_FALSE(run.mounts[0].readonly);
}

TEST_CASE("RUN network and security accept only BuildKit's modes", "[dockerfile][instructions]") {
  auto run = run_ok("RUN --network=none --security=insecure true");
  CHECK(run.network == "none");
  CHECK(run.security == "insecure");
  CHECK(run.flags_used == std::vector<std::string>{"network", "security"});
  auto plain = run_ok("RUN true");
  CHECK(plain.network.empty());
  CHECK(plain.security.empty());
  CHECK(run_error("RUN --network=bridge true") == "invalid network mode \"bridge\"");
  CHECK(run_error("RUN --network= true") == "invalid network mode \"\"");
  CHECK(run_error("RUN --security=root true") == "security \"root\" is not valid");
  CHECK(run_error("RUN --network true") == "missing a value on flag: --network");
  CHECK(run_error("RUN --mnt=type=cache true") == "unknown flag: --mnt (did you mean mount?)");
}

TEST_CASE("RUN devices keep their names and required flags", "[dockerfile][instructions]") {
  auto run = run_ok("RUN --device=vendor.com/gpu=all,required --device=name=other true");
  CHECK(run.devices == std::vector<std::string>{"vendor.com/gpu=all", "other"});
  REQUIRE(run.device_requests.size() == 2);
  CHECK(run.device_requests[0].required);
  CHECK_FALSE(run.device_requests[1].required);
  CHECK(run_error("RUN --device=a,required=perhaps true") == "invalid value for required: perhaps");
}

TEST_CASE("RUN keeps the shell form as one string and heredocs as files", "[dockerfile][instructions]") {
  auto parsed = df::parse("FROM a\nRUN <<-EOF bash -e\n\techo $HOME\n\tEOF\n");
  REQUIRE(parsed);
  auto command = df::parse_command(parsed->root.next[1]);
  REQUIRE(command);
  const auto& run = std::get<df::RunCommand>(*command);
  CHECK(run.command.shell_form);
  CHECK(run.command.args == std::vector<std::string>{"<<-EOF bash -e"});
  REQUIRE(run.command.files.size() == 1);
  CHECK(run.command.files[0].data == "\techo $HOME\n");
  CHECK(run.command.files[0].chomp);
  CHECK(run.command.files[0].expand);
  CHECK(run.location.start_line == 2);
  CHECK(run.location.end_line == 4);
}

}  // namespace
