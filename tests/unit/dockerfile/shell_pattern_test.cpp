// shell_pattern_test.cpp: the ${VAR#pat} ${VAR%pat} ${VAR/pat/repl} patterns and the Go text
// semantics under them (rune decoding, Unicode classes, %q quoting), which must agree with Go.
#include <string>

#include <catch2/catch.hpp>

#include "shell/go_text.hpp"
#include "shell/lexer.hpp"
#include "shell/pattern.hpp"

namespace {

namespace go_text = dbuild::dockerfile::go_text;
namespace shell_pattern = dbuild::dockerfile::shell_pattern;
using shell_pattern::Anchor;
using shell_pattern::Pattern;
using shell_pattern::Stars;

std::string expand(std::string_view text, const std::vector<std::string>& env) {
  auto result = dbuild::dockerfile::Lexer().process_word(text, dbuild::dockerfile::env_from_list(env));
  REQUIRE(result);
  return result->word;
}

std::string replace_all(std::string_view pattern, std::string_view value, std::string_view replacement) {
  auto compiled = Pattern::compile(pattern, Stars::Longest, Anchor::Anywhere);
  REQUIRE(compiled);
  return compiled->replace_all(value, replacement);
}

}  // namespace

TEST_CASE("prefix and suffix removal take the shortest or the longest match", "[dockerfile][shell]") {
  const std::vector<std::string> env = {"F=/home/tux/book/book.tar.bz2"};
  CHECK(expand("${F#*/}", env) == "home/tux/book/book.tar.bz2");
  CHECK(expand("${F##*/}", env) == "book.tar.bz2");
  CHECK(expand("${F%.*}", env) == "/home/tux/book/book.tar");
  CHECK(expand("${F%%.*}", env) == "/home/tux/book/book");
  CHECK(expand("${F#/home}", env) == "/tux/book/book.tar.bz2");
  CHECK(expand("${F%nomatch}", env) == "/home/tux/book/book.tar.bz2");
  CHECK(expand("${F#??}", env) == "ome/tux/book/book.tar.bz2");
}

TEST_CASE("substitution replaces the first or every longest match", "[dockerfile][shell]") {
  const std::vector<std::string> env = {"F=/home/tux/book/book.tar.bz2"};
  CHECK(expand("${F/tux/wilber}", env) == "/home/wilber/book/book.tar.bz2");
  CHECK(expand("${F//book/b}", env) == "/home/tux/b/b.tar.bz2");
  CHECK(expand("${F/o*o/0}", env) == "/h0k.tar.bz2");
  CHECK(expand("${F//\\//:}", env) == ":home:tux:book:book.tar.bz2");
  CHECK(expand("${UNSET/a/b}", env) == "");
}

TEST_CASE("wildcards do not match newlines, as Go's `.` does not", "[dockerfile][shell]") {
  const std::vector<std::string> env = {"V=ab\ncd\nef"};
  CHECK(expand("${V##*b}", env) == "\ncd\nef");
  CHECK(expand("${V#*d}", env) == "ab\ncd\nef");
  // bash would give "ab\n"; BuildKit searches the reversed value, where `*` stops at "\n".
  CHECK(expand("${V%%c*}", env) == "ab\ncd\nef");
  CHECK(expand("${V%%e*}", env) == "ab\ncd\n");
  CHECK(expand("${V//?/x}", env) == "xx\nxx\nxx");
}

TEST_CASE("brackets are literal characters, not bracket expressions, as in BuildKit", "[dockerfile][shell]") {
  CHECK(expand("${V#[ab]}", {"V=[ab]c"}) == "c");
  CHECK(expand("${V#[ab]}", {"V=ac"}) == "ac");
  CHECK(expand("${V//(.)/-}", {"V=a(.)b(x)"}) == "a-b(x)");
}

TEST_CASE("`//` expands $0 in the replacement as Go's ReplaceAllString does but `/` does not", "[dockerfile][shell]") {
  CHECK(expand("${V//b/'[$0]'}", {"V=abcb"}) == "a[b]c[b]");
  CHECK(expand("${V/b/'[$0]'}", {"V=abcb"}) == "a[$0]cb");
  CHECK(expand("${V//b/'$$-$1-${0}-$x-$'}", {"V=b"}) == "$--b--$");
}

TEST_CASE("replacing every match follows Go's rules for empty matches", "[dockerfile][shell]") {
  CHECK(replace_all("", "abc", "-") == "-a-b-c-");
  CHECK(replace_all("*", "abc", "-") == "-");
  CHECK(replace_all("*", "ab\ncd", "-") == "-\n-");
  CHECK(replace_all("b*", "abcb", "-") == "a-");
  CHECK(replace_all("x", "", "-") == "");
  CHECK(replace_all("", "", "-") == "-");
}

TEST_CASE("a pattern escapes only star, question mark and backslash", "[dockerfile][shell]") {
  CHECK(expand(R"(${V#\*\?\\})", {R"(V=*?\rest)"}) == "rest");
  auto bad = dbuild::dockerfile::Lexer().process_word(R"(${V#\x})", dbuild::dockerfile::env_from_list({"V=x"}));
  REQUIRE_FALSE(bad);
  CHECK(bad.status().message() ==
        R"(failed to process "${V#\\x}": invalid pattern (\x) in substitution: invalid escape '\x')");
  SECTION("suffix removal names the reversed pattern, as BuildKit does") {
    auto reversed = shell_pattern::trim_suffix(R"(ab\x)", "v", Stars::Shortest);
    REQUIRE_FALSE(reversed);
    CHECK(reversed.status().message() == R"(invalid pattern (\xba) in substitution: invalid escape '\x')");
  }
  CHECK_FALSE(Pattern::compile("\\", Stars::Longest, Anchor::Start));
}

TEST_CASE("patterns and values match rune by rune", "[dockerfile][shell]") {
  CHECK(expand("${V#?}", {"V=한국어"}) == "국어");
  CHECK(expand("${V%?}", {"V=한국어"}) == "한국");
  CHECK(expand("${V/국/-}", {"V=한국어"}) == "한-어");
  SECTION("suffix removal rewrites invalid UTF-8 as U+FFFD, through Go's []rune round trip") {
    CHECK(expand("${V%x}", {"V=\xFFyx"}) == "\xEF\xBF\xBDy");
    CHECK(expand("${V#x}", {"V=x\xFFy"}) == "\xFFy");
  }
}

TEST_CASE("reversing a pattern keeps each escape before the character it escapes", "[dockerfile][shell]") {
  CHECK(shell_pattern::reverse_pattern(R"(a\*c)") == R"(c\*a)");
  CHECK(shell_pattern::reverse_pattern(R"(x\\y)") == R"(y\\x)");
  CHECK(shell_pattern::reverse_pattern(R"(ab\)") == R"(\ba)");
  CHECK(shell_pattern::reverse_pattern("가\\*나") == "나\\*가");
  CHECK(shell_pattern::reverse_string("ab한") == "한ba");
}

TEST_CASE("runes decode as Go decodes them, an invalid byte at a time", "[dockerfile][shell]") {
  CHECK(go_text::decode_rune("\xE2\x82\xAC").rune == 0x20AC);
  CHECK(go_text::decode_rune("\xF0\x9F\x98\x80").width == 4);
  for (const char* invalid : {"\xFF", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\x80"}) {
    const auto decoded = go_text::decode_rune(invalid);
    CHECK(decoded.rune == go_text::kRuneError);
    CHECK(decoded.width == 1);
  }
  CHECK(go_text::decode_rune("").width == 0);
  CHECK(go_text::runes_of("a\xE2\x82").size() == 3);
  CHECK(go_text::rune_string(go_text::kEof) == "\xEF\xBF\xBD");
}

TEST_CASE("rune classes follow Go's unicode package", "[dockerfile][shell]") {
  CHECK(go_text::is_letter('a'));
  CHECK(go_text::is_letter(0xAA));    // ª, Lo
  CHECK(go_text::is_letter(0xD55C));  // 한
  CHECK_FALSE(go_text::is_letter('_'));
  CHECK_FALSE(go_text::is_letter(0xFFFD));
  CHECK(go_text::is_digit('7'));
  CHECK(go_text::is_digit(0x0663));      // Arabic-Indic three
  CHECK_FALSE(go_text::is_digit(0xB2));  // ², No rather than Nd
  CHECK(go_text::is_space(0x3000));
  CHECK(go_text::is_space(0x85));
  CHECK_FALSE(go_text::is_space(0x200B));  // zero width space is not white space
  CHECK(go_text::is_print(' '));
  CHECK_FALSE(go_text::is_print(0xA0));
  CHECK_FALSE(go_text::is_print(0xAD));  // soft hyphen
  CHECK(go_text::is_print(0x1F600));
}

TEST_CASE("quoting follows Go's strconv.Quote", "[dockerfile][shell]") {
  CHECK(go_text::quote("plain") == "\"plain\"");
  CHECK(go_text::quote("a\"b\\c") == R"("a\"b\\c")");
  CHECK(go_text::quote("\a\b\f\n\r\t\v") == R"("\a\b\f\n\r\t\v")");
  CHECK(go_text::quote(std::string("\x00\x7F", 2)) == R"("\x00\x7f")");
  CHECK(go_text::quote("\xC2\xA0\xE2\x80\x8B") == R"("\u00a0\u200b")");
  CHECK(go_text::quote("\xF3\xA0\x80\x81") == R"("\U000e0001")");
  CHECK(go_text::quote("한\xFF☺") == "\"한\\xff☺\"");
}

TEST_CASE("a leading byte order mark is skipped by the scanner only", "[dockerfile][shell]") {
  go_text::Scanner scanner(
      "\xEF\xBB\xBF"
      "a\xEF\xBB\xBF");
  CHECK(scanner.next() == 'a');
  CHECK(scanner.peek() == 0xFEFF);
  CHECK(scanner.next() == 0xFEFF);
  CHECK(scanner.next() == go_text::kEof);
  CHECK(scanner.next() == go_text::kEof);
}
