// format_test.cpp: BuildKit's spelling of sizes and offsets, UTF-8 checks and terminal clipping.
#include <catch2/catch.hpp>

#include <string>

#include "cli/progress/format.hpp"
#include "cli/progress/summary.hpp"

namespace dbuild::progress {
namespace {

std::string bytes(std::int64_t value) {
  std::string out;
  append_bytes(out, value);
  return out;
}

std::string offset(std::int64_t ns) {
  std::string out;
  append_log_offset(out, ns);
  return out;
}

TEST_CASE("sizes print in decimal units with two decimals past a thousand bytes", "[progress][format]") {
  CHECK(bytes(0) == "0B");
  CHECK(bytes(2) == "2B");
  CHECK(bytes(999) == "999B");
  CHECK(bytes(1000) == "1.00kB");
  CHECK(bytes(1200) == "1.20kB");
  CHECK(bytes(52'330'000) == "52.33MB");
  CHECK(bytes(3'860'000'000) == "3.86GB");
}

TEST_CASE("log offsets keep about four significant digits", "[progress][format]") {
  CHECK(offset(0) == "0.000");
  CHECK(offset(-5) == "0.000");
  CHECK(offset(414'000'000) == "0.414");
  CHECK(offset(9'960'000'000) == "9.960");
  CHECK(offset(10'230'000'000) == "10.23");
  CHECK(offset(120'200'000'000) == "120.2");
}

TEST_CASE("UTF-8 validation rejects stray, overlong and surrogate bytes", "[progress][format]") {
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x90\xB3"));
  CHECK_FALSE(is_valid_utf8("\xFF"));
  CHECK_FALSE(is_valid_utf8("\xC3"));              // cut short
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST_CASE("terminal lines lose escapes and control bytes and keep what follows a carriage return",
          "[progress][format]") {
  CHECK(sanitize_for_terminal("\x1b[31mred\x1b[0m text") == "red text");
  CHECK(sanitize_for_terminal("10%\r50%\r100%\r") == "100%");
  CHECK(sanitize_for_terminal("a\tb\x07") == "a b ");
  CHECK(sanitize_for_terminal("\x1b]0;title\x07shown") == "shown");
  CHECK(sanitize_for_terminal("bad \xFF byte") == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("clipping counts code points and never cuts one in half", "[progress][format]") {
  CHECK(clip_to_width("abcdef", 3) == "abc");
  CHECK(clip_to_width("abc", 10) == "abc");
  CHECK(clip_to_width("\xC3\xA9\xC3\xA9\xC3\xA9", 2) == "\xC3\xA9\xC3\xA9");
  CHECK(display_width("caf\xC3\xA9") == 4);
}

TEST_CASE("warnings show their line when it is known", "[progress][format]") {
  CHECK(warning_text("Rule: message", sdk::SourceLocation{"Dockerfile", 7, 7}) == "Rule: message (line 7)");
  CHECK(warning_text("Rule: message\n", std::nullopt) == "Rule: message");
}

TEST_CASE("the failure report rules off a step's last lines", "[progress][format]") {
  StepFailure failure{
      "sha256:ab", "[3/3] RUN [\"/app\"]", "exit code: 255", {{1'751'000'000, "exec /app: no such file"}}};
  std::string out;
  append_failure_report(out, failure);
  CHECK(out == "------\n > [3/3] RUN [\"/app\"]:\n1.751 exec /app: no such file\n------\n");
}

}  // namespace
}  // namespace dbuild::progress
