// parser_lines_test.cpp: the Dockerfile parser on what BuildKit's test data leaves out: line
// endings, the backtick escape, line numbers around heredocs and comments, directives, doc
// comments, error locations.
#include <string>

#include <catch2/catch.hpp>

#include "parser/parser.hpp"

namespace {

namespace df = dbuild::dockerfile;

df::ParseResult parsed(const std::string& text) {
  auto result = df::parse(text);
  INFO(text);
  REQUIRE(result);
  return std::move(*result);
}

dbuild::sdk::Status failure(const std::string& text) {
  auto result = df::parse(text);
  REQUIRE_FALSE(result);
  return result.status();
}

TEST_CASE("the parser joins continuation lines with the backtick escape token", "[dockerfile][parser]") {
  auto result = parsed("# escape=`\nFROM a\nRUN echo one `\n  two\n");
  CHECK(result.directives.escape == '`');
  CHECK(result.directives.escape_line == 1);
  CHECK(df::dump(result.root) == "(from \"a\")\n(run \"echo one   two\")");
}

TEST_CASE("the parser accepts CRLF line endings and a byte order mark", "[dockerfile][parser]") {
  auto result = parsed("\xEF\xBB\xBF" "FROM a\r\nRUN echo \\\r\n  b\r\nCOPY <<EOF /x\r\nhi\r\nEOF\r\n");
  CHECK(df::dump(result.root) == "(from \"a\")\n(run \"echo   b\")\n(copy \"<<EOF\" \"/x\")");
  REQUIRE(result.root.next[2].heredocs.size() == 1);
  CHECK(result.root.next[2].heredocs[0].content == "hi\r\n");
}

TEST_CASE("the parser counts heredoc bodies and dropped comments in an instruction's lines", "[dockerfile][parser]") {
  auto result = parsed("FROM a\nRUN <<A <<B\na\nA\nb\nB\nRUN x \\\n# c\n\n  y\n");
  REQUIRE(result.root.next.size() == 3);
  CHECK(result.root.next[1].start_line == 2);
  CHECK(result.root.next[1].end_line == 6);
  CHECK(result.root.next[2].start_line == 7);
  CHECK(result.root.next[2].end_line == 10);
  CHECK(result.root.start_line == 1);
  CHECK(result.root.end_line == 10);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].line == 10);
  CHECK(result.warnings[0].url == "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/");
}

TEST_CASE("the parser keeps the keyword as written, the JSON flag and the flags", "[dockerfile][parser]") {
  auto result = parsed("From a\nrun [\"echo\", \"hi\"]\nCopy --from=\"b c\" --link x y\n");
  const auto& run = result.root.next[1];
  CHECK(run.value == "run");
  CHECK(run.keyword_as_written == "run");
  CHECK(result.root.next[0].keyword_as_written == "From");
  CHECK(run.json);
  CHECK(result.root.next[2].flags == std::vector<std::string>{"--from=b c", "--link"});
  CHECK(result.root.next[2].original == "Copy --from=\"b c\" --link x y");
}

TEST_CASE("the parser nests an ONBUILD trigger and gives it the ONBUILD's heredocs", "[dockerfile][parser]") {
  auto result = parsed("FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\nONBUILD\n");
  const auto& onbuild = result.root.next[1];
  REQUIRE(onbuild.children.size() == 1);
  CHECK(onbuild.children[0].value == "run");
  REQUIRE(onbuild.heredocs.size() == 1);
  CHECK(onbuild.heredocs[0].content == "echo hi\n");
  CHECK(onbuild.end_line == 4);
  CHECK(df::dump(result.root) == "(from \"a\")\n(onbuild (run \"<<EOF\"))\n(onbuild)");
}

TEST_CASE("the parser keeps unknown instructions with one empty argument", "[dockerfile][parser]") {
  auto result = parsed("FROM a\nFOO bar baz\n");
  CHECK(df::dump(result.root) == "(from \"a\")\n(foo \"\")");
  CHECK(result.root.next[1].keyword_as_written == "FOO");
}

TEST_CASE("the parser gives each instruction the comment lines just above it", "[dockerfile][parser]") {
  auto result = parsed("# syntax=docker/dockerfile:1\n# base is the base\n  # indented\nFROM a AS base\n#\n# x\n\nRUN y\n");
  CHECK(result.root.next[0].comments == std::vector<std::string>{"base is the base", "# indented"});
  CHECK(result.root.next[1].comments == std::vector<std::string>{"x"});
}

TEST_CASE("the parser reports the syntax and check directives", "[dockerfile][parser]") {
  auto result = parsed("# syntax = docker/dockerfile:1.7 // x\n# check=skip=all;error=true\nFROM a\n");
  CHECK(result.directives.syntax == "docker/dockerfile:1.7");
  CHECK(result.directives.syntax_cmdline == "docker/dockerfile:1.7 // x");
  CHECK(result.directives.syntax_line == 1);
  CHECK(result.directives.check == "skip=all;error=true");
  CHECK(result.directives.check_line == 2);
  CHECK(result.directives.escape == '\\');
}

TEST_CASE("the parser ignores an escape directive after the leading block", "[dockerfile][parser]") {
  auto result = parsed("FROM a\n# escape=`\nRUN a \\\n b\n");
  CHECK(result.directives.escape == '\\');
  CHECK(df::dump(result.root) == "(from \"a\")\n(run \"a  b\")");
}

TEST_CASE("the parser rejects a bad or repeated escape directive with its line", "[dockerfile][parser]") {
  auto bad = failure("# escape=x\nFROM a\n");
  CHECK(bad.message() == "invalid escape token 'x' does not match ` or \\");
  REQUIRE(bad.location());
  CHECK(bad.location()->line == 1);
  auto twice = failure("# escape=\\\n# escape=`\nFROM a\n");
  CHECK(twice.message() == "only one escape parser directive can be used");
  CHECK(twice.location()->line == 2);
}

TEST_CASE("the parser reports an unterminated heredoc at the instruction's lines", "[dockerfile][parser]") {
  auto status = failure("FROM a\nRUN <<EOF\necho\n");
  CHECK(status.message() == "unterminated heredoc");
  REQUIRE(status.location());
  CHECK(status.location()->file == "Dockerfile");
  CHECK(status.location()->line == 2);
  CHECK(status.location()->end_line == 3);
}

TEST_CASE("the parser reports argument errors at the instruction's lines", "[dockerfile][parser]") {
  auto status = failure("FROM a\nENV \\\n  A\n");
  CHECK(status.message() == "ENV must have two arguments");
  CHECK(status.location()->line == 2);
  CHECK(status.location()->end_line == 3);
  CHECK(failure("FROM a\nLABEL a=b c\n").message() ==
        "Syntax error - can't find = in \"c\". Must be of the form: name=value");
}

TEST_CASE("the parser accepts a line of exactly 65535 bytes", "[dockerfile][parser]") {
  const std::string label = "LABEL a=" + std::string(65535 - 8, 'x');
  auto result = parsed("FROM a\n" + label + "\n");
  CHECK(result.root.next.size() == 2);
  CHECK(failure("FROM a\n" + label + "x\n").message() == "dockerfile line greater than max allowed size of 65535");
}

TEST_CASE("the parser finds no instructions in blank lines and comments", "[dockerfile][parser]") {
  CHECK(failure("\n\n   \n# c\n").message() == "file with no instructions");
}

TEST_CASE("the parser splits each instruction's arguments by its own rule", "[dockerfile][parser]") {
  auto result = parsed(
      "FROM  a   AS b\nARG x=\"1 2\" y\nENV k \"v w\"\nVOLUME [\"/a\", \"/b\"]\nEXPOSE 80  443/udp\n"
      "WORKDIR /a b\nSHELL [\"sh\"]\nHEALTHCHECK --retries=3 CMD [\"true\"]\nCMD [\"unterminated\"\n");
  CHECK(df::dump(result.root) ==
        "(from \"a\" \"AS\" \"b\")\n(arg \"x=\\\"1 2\\\"\" \"y\")\n(env \"k\" \"\\\"v w\\\"\" \"\")\n"
        "(volume \"/a\" \"/b\")\n(expose \"80\" \"443/udp\")\n(workdir \"/a b\")\n(shell \"sh\")\n"
        "(healthcheck [\"--retries=3\"] \"CMD\" \"true\")\n(cmd \"[\\\"unterminated\\\"\")");
  CHECK(result.root.next[7].json);
  CHECK_FALSE(result.root.next[8].json);
}

}  // namespace
