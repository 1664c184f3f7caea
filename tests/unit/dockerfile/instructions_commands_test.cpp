// instructions_commands_test.cpp: the other instructions beyond BuildKit's test data: stages,
// ONBUILD, HEALTHCHECK, COPY/ADD flags, key-value forms, and whole-file errors.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "instructions/instructions.hpp"
#include "parser/parser.hpp"

namespace {

namespace df = dbuild::dockerfile;

dbuild::sdk::Result<df::Command> command_of(const std::string& line) {
  auto parsed = df::parse("FROM a\n" + line + "\n");
  if (!parsed) return parsed.status();
  return df::parse_command(parsed->root.next.at(1));
}

template <class T>
T command_ok(const std::string& line) {
  auto command = command_of(line);
  INFO(line << ": " << (command ? "" : command.status().message()));
  REQUIRE(command);
  REQUIRE(std::holds_alternative<T>(*command));
  return std::get<T>(*command);
}

std::string command_error(const std::string& line) {
  auto command = command_of(line);
  INFO(line);
  REQUIRE_FALSE(command);
  return command.status().message();
}

dbuild::sdk::Result<df::Dockerfile> dockerfile_of(const std::string& text) {
  auto parsed = df::parse(text);
  if (!parsed) return parsed.status();
  return df::parse_dockerfile(parsed->root);
}

TEST_CASE("FROM starts a stage with a lower-cased name and a platform", "[dockerfile][instructions]") {
  auto dockerfile = dockerfile_of("ARG V=1\nFROM --platform=$BUILDPLATFORM alpine:$V As Build\nRUN x\nFROM build\n");
  REQUIRE(dockerfile);
  REQUIRE(dockerfile->meta_args.size() == 1);
  CHECK(dockerfile->meta_args[0].args[0].value == "1");
  REQUIRE(dockerfile->stages.size() == 2);
  CHECK(dockerfile->stages[0].name == "build");
  CHECK(dockerfile->stages[0].base_name == "alpine:$V");
  CHECK(dockerfile->stages[0].platform == "$BUILDPLATFORM");
  CHECK(dockerfile->stages[0].commands.size() == 1);
  CHECK(dockerfile->stages[0].location.start_line == 2);
  CHECK(dockerfile->stages[1].name.empty());
}

TEST_CASE("a Dockerfile's errors carry BuildKit's line prefix and the location", "[dockerfile][instructions]") {
  auto bad_name = dockerfile_of("FROM a AS 1st\n");
  REQUIRE_FALSE(bad_name);
  CHECK(bad_name.status().message() == "dockerfile parse error on line 1: invalid name for build stage: \"1st\", name "
                                       "can't start with a number or contain symbols");
  auto unknown = dockerfile_of("FROM a\n\nFORM b\n");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.status().message() == "dockerfile parse error on line 3: unknown instruction: FORM (did you mean FROM?)");
  REQUIRE(unknown.status().location());
  CHECK(unknown.status().location()->line == 3);
  auto no_stage = dockerfile_of("ARG a\nRUN x\nFROM b\n");
  REQUIRE_FALSE(no_stage);
  CHECK(no_stage.status().message() == "no build stage in current context");
  CHECK(no_stage.status().location()->line == 2);
  CHECK(dockerfile_of("FROM a b\n").status().message() ==
        "dockerfile parse error on line 1: FROM requires either one or three arguments");
}

TEST_CASE("ONBUILD keeps its trigger's text and heredocs", "[dockerfile][instructions]") {
  auto onbuild = command_ok<df::OnbuildCommand>("  onbuild   RUN <<EOF\necho hi\nEOF");
  CHECK(onbuild.expression == "RUN <<EOF\necho hi\nEOF");
  CHECK(command_error("ONBUILD MAINTAINER me") == "MAINTAINER isn't allowed as an ONBUILD trigger");
}

TEST_CASE("HEALTHCHECK parses its durations and retries", "[dockerfile][instructions]") {
  auto health = command_ok<df::HealthcheckCommand>(
      "HEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=0 --start-interval=5ms --retries=4 CMD [\"curl\"]");
  CHECK(health.health.test == std::vector<std::string>{"CMD", "curl"});
  CHECK(health.health.interval_ns == 90'000'000'000);
  CHECK(health.health.timeout_ns == 1'500'000'000);
  CHECK(health.health.start_period_ns == 0);
  CHECK(health.health.start_interval_ns == 5'000'000);
  CHECK(health.health.retries == 4);
  CHECK(command_ok<df::HealthcheckCommand>("HEALTHCHECK --bogus NONE").health.test ==
        std::vector<std::string>{"NONE"});
}

TEST_CASE("HEALTHCHECK is rejected with BuildKit's messages", "[dockerfile][instructions]") {
  CHECK(command_error("HEALTHCHECK NONE x") == "HEALTHCHECK NONE takes no arguments");
  CHECK(command_error("HEALTHCHECK TCP 80") == "Unknown type \"TCP\" in HEALTHCHECK (try CMD)");
  CHECK(command_error("HEALTHCHECK CMD") == "Missing command after HEALTHCHECK CMD");
  CHECK(command_error("HEALTHCHECK --retries=-1 CMD x") == "--retries cannot be negative (-1)");
  CHECK(command_error("HEALTHCHECK --retries=many CMD x") == "strconv.ParseInt: parsing \"many\": invalid syntax");
  CHECK(command_error("HEALTHCHECK --timeout=10 CMD x") == "time: missing unit in duration \"10\"");
  CHECK(command_error("HEALTHCHECK --timeout=1d CMD x") == "time: unknown unit \"d\" in duration \"1d\"");
  CHECK(command_error("HEALTHCHECK --interval=-1s CMD x") == "Interval \"interval\" cannot be less than 1ms");
  CHECK(command_error("HEALTHCHECK --interval=.s CMD x") == "time: invalid duration \".s\"");
}

TEST_CASE("COPY and ADD take their flags", "[dockerfile][instructions]") {
  auto copy = command_ok<df::CopyCommand>(
      "COPY --from=build --chown=1:2 --chmod=644 --link --parents --exclude=*.md --exclude=x a b /dst/");
  CHECK(copy.from == "build");
  CHECK(copy.chown == "1:2");
  CHECK(copy.chmod == "644");
  CHECK(copy.link);
  CHECK(copy.parents);
  CHECK(copy.excludes == std::vector<std::string>{"*.md", "x"});
  CHECK(copy.paths.sources == std::vector<std::string>{"a", "b"});
  CHECK(copy.paths.dest == "/dst/");
  auto add = command_ok<df::AddCommand>(
      "ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false [\"http://x/a b\", \"/d\"]");
  CHECK(add.checksum == "sha256:abc");
  CHECK(add.keep_git_dir);
  CHECK(add.unpack == false);
  CHECK(add.paths.sources == std::vector<std::string>{"http://x/a b"});
  CHECK_FALSE(command_ok<df::AddCommand>("ADD a b").unpack.has_value());
  CHECK(command_error("ADD --from=x a b") == "unknown flag: --from");
  CHECK(command_error("COPY --link=maybe a b") == "expecting boolean value for flag --link, not: maybe");
  CHECK(command_error("COPY --link= a b") == "missing a value on flag: --link");
  CHECK(command_error("COPY --from=a --from=b a b") == "duplicate flag specified: --from");
}

TEST_CASE("ENV and LABEL mark the legacy key-value form", "[dockerfile][instructions]") {
  auto env = command_ok<df::EnvCommand>("ENV A=1 B=\"two words\"");
  REQUIRE(env.env.size() == 2);
  CHECK(env.env[1].key == "B");
  CHECK(env.env[1].value == "\"two words\"");
  CHECK_FALSE(env.env[1].legacy_form);
  auto legacy = command_ok<df::LabelCommand>("LABEL maintainer some one");
  REQUIRE(legacy.labels.size() == 1);
  CHECK(legacy.labels[0].value == "some one");
  CHECK(legacy.labels[0].legacy_form);
}

TEST_CASE("the simple instructions count their arguments", "[dockerfile][instructions]") {
  auto arg = command_ok<df::ArgCommand>("ARG a b=2 c=");
  REQUIRE(arg.args.size() == 3);
  CHECK_FALSE(arg.args[0].value.has_value());
  CHECK(arg.args[2].value == std::string());
  CHECK(command_error("ARG =x") == "ARG names can not be blank");
  CHECK(command_ok<df::ExposeCommand>("EXPOSE 8080 443 80/udp").ports ==
        std::vector<std::string>{"443", "80/udp", "8080"});
  CHECK(command_error("VOLUME [\"\"]") == "VOLUME specified can not be an empty string");
  CHECK(command_error("SHELL sh -c") == "SHELL requires the arguments to be in JSON form");
  CHECK(command_error("SHELL []") == "SHELL requires at least one argument");
  CHECK(command_ok<df::StopSignalCommand>("STOPSIGNAL --x SIGKILL").signal == "SIGKILL");
  CHECK(command_ok<df::WorkdirCommand>("WORKDIR /a b").path == "/a b");
  CHECK(command_ok<df::CmdCommand>("CMD []").command.args.empty());
  CHECK(command_ok<df::EntrypointCommand>("ENTRYPOINT exec a").command.shell_form);
  CHECK(command_error("USER --name=x root") == "unknown flag: --name");
  CHECK(command_error("EXPOSE") == "EXPOSE requires at least one argument");
}

TEST_CASE("parse_command leaves FROM to parse_instruction", "[dockerfile][instructions]") {
  auto parsed = df::parse("FROM a\n");
  REQUIRE(parsed);
  CHECK_FALSE(df::parse_command(parsed->root.next[0]));
  auto instruction = df::parse_instruction(parsed->root.next[0]);
  REQUIRE(instruction);
  CHECK(std::holds_alternative<df::Stage>(*instruction));
}

}  // namespace
