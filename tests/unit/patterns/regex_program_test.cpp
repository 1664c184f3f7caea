// regex_program_test.cpp: the RE2 subset used for Docker's pattern regexps: what it accepts, what
// it rejects the way Go does, and that matching is a search with Go's `.` and anchor meanings.
#include <string>

#include <catch2/catch.hpp>

#include "patterns/regex_program.hpp"

namespace {

using dbuild::patterns::RegexProgram;

bool search(std::string_view regex, std::string_view text) {
  auto program = RegexProgram::compile(regex);
  INFO("regex " << regex << ": " << program.status().to_string());
  REQUIRE(program.has_value());
  return program->matches(text);
}

std::string compile_error(std::string_view regex) {
  auto program = RegexProgram::compile(regex);
  return program.has_value() ? std::string() : program.status().message();
}

}  // namespace

TEST_CASE("the translated forms of star, question mark and double star match as in Go", "[patterns][regex]") {
  CHECK(search("^a[^/]*$", "abc"));
  CHECK_FALSE(search("^a[^/]*$", "ab/c"));
  CHECK(search("^(.*/)?b$", "b"));
  CHECK(search("^(.*/)?b$", "x/y/b"));
  CHECK_FALSE(search("^(.*/)?b$", "xb"));
  CHECK(search("^a[^/]$", "a\xE2\x98\xBA"));
  CHECK(search("^a\\.b$", "a.b"));
  CHECK_FALSE(search("^a\\.b$", "axb"));
}

TEST_CASE("a regexp without anchors is searched for anywhere in the text", "[patterns][regex]") {
  CHECK(search("b+c", "aabbcc"));
  CHECK_FALSE(search("b+c", "aaccb"));
  CHECK(search("x?", ""));
}

TEST_CASE("dot does not match a newline, and a caret in the middle can never match", "[patterns][regex]") {
  CHECK_FALSE(search("^a.*b$", "a\nb"));
  CHECK(search("^a[^/]*b$", "a\nb"));
  CHECK_FALSE(search("^a^b$", "a^b"));
  CHECK(search("^a\\^b$", "a^b"));
}

TEST_CASE("classes support ranges, POSIX names, Perl escapes and a literal first bracket", "[patterns][regex]") {
  CHECK(search("^[[:alpha:]]+$", "abcXYZ"));
  CHECK_FALSE(search("^[[:alpha:]]$", "1"));
  CHECK(search("^[[:^digit:]]$", "x"));
  CHECK(search("^[\\d_]+$", "12_3"));
  CHECK(search("^\\w+\\s\\W$", "ab_1 !"));
  CHECK(search("^[]a]$", "]"));
  CHECK(search("^[^]a]$", "b"));
  CHECK(search("^[[^/]*]$", "^]"));  // Docker's translation of the pattern "[*]"
  CHECK(search("^[a-]$", "-"));
  CHECK(search("^[^a]$", "\n"));
}

TEST_CASE("escapes for control characters, octal and hex code points are understood", "[patterns][regex]") {
  CHECK(search("^\\t\\n$", "\t\n"));
  CHECK(search("^\\101\\x42\\x{43}$", "ABC"));
  CHECK(search("^\\0$", std::string_view("\0", 1)));
  CHECK(search("^\\x{263a}$", "\xE2\x98\xBA"));
}

TEST_CASE("word boundaries and text anchors behave as in Go", "[patterns][regex]") {
  CHECK(search("\\bfoo\\b", "a foo b"));
  CHECK_FALSE(search("\\bfoo\\b", "afoob"));
  CHECK(search("\\Bfoo", "afoo"));
  CHECK(search("\\Aab\\z", "ab"));
  CHECK_FALSE(search("\\Aab\\z", "abc"));
}

TEST_CASE("regexps Go rejects are rejected with Go's reason", "[patterns][regex]") {
  CHECK_THAT(compile_error("^[Local-Only]$"), Catch::Contains("invalid character class range"));
  CHECK_THAT(compile_error("^[a$"), Catch::Contains("missing closing ]"));
  CHECK_THAT(compile_error("a**"), Catch::Contains("invalid nested repetition operator"));
  CHECK_THAT(compile_error("*a"), Catch::Contains("missing argument to repetition operator"));
  CHECK_THAT(compile_error("\\e"), Catch::Contains("invalid escape sequence"));
  CHECK_THAT(compile_error("\\1"), Catch::Contains("invalid escape sequence"));
  CHECK_THAT(compile_error("\\x4"), Catch::Contains("invalid escape sequence"));
  CHECK_THAT(compile_error("[[:foo:]]"), Catch::Contains("invalid character class range"));
  CHECK_THAT(compile_error("(a"), Catch::Contains("missing closing )"));
  CHECK_THAT(compile_error("a)"), Catch::Contains("unexpected )"));
  CHECK_THAT(compile_error("a\\"), Catch::Contains("trailing backslash"));
  CHECK_THAT(compile_error("a{2}*"), Catch::Contains("invalid nested repetition operator"));
  CHECK_THAT(compile_error("a{3,2}"), Catch::Contains("invalid repeat count"));
  CHECK_THAT(compile_error("a{1001}"), Catch::Contains("invalid repeat count"));
  CHECK_THAT(compile_error("(?i)a"), Catch::Contains("not supported"));
}

TEST_CASE("alternation and counted repetition work, and a brace that starts neither is literal", "[patterns][regex]") {
  CHECK(search("^a[^/]*|b$", "axx/y"));  // Docker's "a*|b": "^a[^/]*" or "b$"
  CHECK(search("^a[^/]*|b$", "x/b"));
  CHECK_FALSE(search("^a[^/]*|b$", "x/c"));
  CHECK(search("^(x|yz)+$", "xyzx"));
  CHECK(search("^a|$", "anything"));  // an empty branch matches at the end of any text
  CHECK(search("^x{2}$", "xx"));
  CHECK_FALSE(search("^x{2}$", "xxx"));
  CHECK(search("^x{2,}$", "xxxx"));
  CHECK(search("^x{1,2}y$", "xxy"));
  CHECK_FALSE(search("^x{1,2}y$", "xxxy"));
  CHECK(search("^x{0}y$", "y"));
  CHECK(search("^a{,2}$", "a{,2}"));
  CHECK(search("^a{x$", "a{x"));
  CHECK(search("^a}$", "a}"));
}

TEST_CASE("the literal prefix and suffix shortcut does not treat U+FFFD as bytes", "[patterns][regex]") {
  CHECK(search("^\\x{FFFD}b$",
               "\xFF"
               "b"));
  CHECK(search("^a\\x{FFFD}$", "a\xC3"));
  CHECK_FALSE(search("^ab$", "ac"));
}

TEST_CASE("a program too large for the inline thread sets still matches", "[patterns][regex]") {
  std::string regex = "^";
  std::string text;
  for (int i = 0; i < 200; ++i) {
    regex += "[^/]*x";
    text += "ax";
  }
  regex += "$";
  CHECK(search(regex, text));
  CHECK_FALSE(search(regex, text.substr(1) + "/"));
}
