// parser_text_test.cpp: the Go text rules under the parser: %q quoting, regexp splitting,
// trimming, integer parsing, and the heredoc word splitter.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "parser/heredoc.hpp"
#include "parser/line_parsers.hpp"
#include "parser/text.hpp"

namespace {

namespace df = dbuild::dockerfile;
namespace text = dbuild::dockerfile::parser_text;

TEST_CASE("quote escapes like Go's strconv.Quote", "[dockerfile][parser]") {
  CHECK(text::quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(text::quote(std::string("\0\x01\x7f", 3)) == "\"\\x00\\x01\\x7f\"");
  CHECK(text::quote("\a\b\f\n\r\t\v") == "\"\\a\\b\\f\\n\\r\\t\\v\"");
  CHECK(text::quote("\xE2\x99\xA5") == "\"\xE2\x99\xA5\"");  // a printable rune stays
  CHECK(text::quote("\xC2\xA0") == "\"\\u00a0\"");           // NBSP is not printable
  CHECK(text::quote("\xFF") == "\"\\xff\"");                 // an invalid byte
  CHECK(text::quote("\xEF\xBB\xBF") == "\"\\ufeff\"");
  CHECK(text::quote_list({"a", "b c"}) == "[\"a\" \"b c\"]");
}

TEST_CASE("split_whitespace follows Go's regexp Split", "[dockerfile][parser]") {
  CHECK(text::split_whitespace("a  b\tc", -1) == std::vector<std::string>{"a", "b", "c"});
  CHECK(text::split_whitespace("a b c", 2) == std::vector<std::string>{"a", "b c"});
  CHECK(text::split_whitespace(" a", -1) == std::vector<std::string>{"", "a"});
  CHECK(text::split_whitespace("a ", -1) == std::vector<std::string>{"a", ""});
  CHECK(text::split_whitespace("", -1) == std::vector<std::string>{""});
  CHECK(text::split_whitespace("a\nb", -1) == std::vector<std::string>{"a\nb"});  // \n is not in the class
}

TEST_CASE("trim_space removes Unicode white space at both ends", "[dockerfile][parser]") {
  CHECK(text::trim_space(" \t\xC2\xA0 x y \xE3\x80\x80\n") == "x y");
  CHECK(text::trim_space("\xFF ") == "\xFF");
  CHECK(text::trim_newline("a\r\n\r\n") == "a");
}

TEST_CASE("parse_int and parse_uint give Go's errors", "[dockerfile][parser]") {
  CHECK(*text::parse_int("-12", 10, 32) == -12);
  CHECK(text::parse_int("x", 10, 32).status().message() == "strconv.ParseInt: parsing \"x\": invalid syntax");
  CHECK(text::parse_int("2147483648", 10, 32).status().message() ==
        "strconv.ParseInt: parsing \"2147483648\": value out of range");
  CHECK(*text::parse_int("-2147483648", 10, 32) == -2147483648LL);
  CHECK(*text::parse_uint("755", 8, 32) == 0755);
  CHECK_FALSE(text::parse_uint("8", 8, 32));
  CHECK_FALSE(text::parse_uint("65536", 10, 16));
  CHECK_FALSE(text::parse_uint("", 10, 16));
}

TEST_CASE("flags stop at the first word that is not a flag, or at --", "[dockerfile][parser]") {
  auto split = df::split_line("  COPY --a=1 --b \"--c\" d", '\\');
  CHECK(split.keyword == "COPY");
  CHECK(split.flags == std::vector<std::string>{"--a=1", "--b"});
  CHECK(split.rest == "\"--c\" d");
  auto ended = df::split_line("RUN --x -- --y", '\\');
  CHECK(ended.flags == std::vector<std::string>{"--x"});
  CHECK(ended.rest == "--y");
  CHECK(df::split_line("RUN --x=a\\ b c", '\\').flags == std::vector<std::string>{"--x=a b"});
}

TEST_CASE("the heredoc word splitter keeps unset variables and joins << to its delimiter", "[dockerfile][parser]") {
  auto words = df::heredoc_shell_words("RUN <<-  EOF ${A:-x} $B 'q r'", true, true);
  REQUIRE(words);
  CHECK(*words == std::vector<std::string>{"RUN", "<<-  EOF", "${A:-x}", "$B", "'q r'"});
  auto unterminated = df::heredoc_shell_words("echo 'x", false, false);
  REQUIRE_FALSE(unterminated);
  CHECK(unterminated.status().message() ==
        "failed to process \"echo 'x\": unexpected end of statement while looking for matching single-quote");
}

TEST_CASE("a heredoc opener gives its file descriptor, chomp and expansion", "[dockerfile][parser]") {
  auto heredoc = df::parse_heredoc("12<<-\"E\"OF");
  REQUIRE(heredoc);
  REQUIRE(*heredoc);
  CHECK((*heredoc)->file_descriptor == 12);
  CHECK((*heredoc)->chomp);
  CHECK_FALSE((*heredoc)->expand);
  CHECK((*heredoc)->name == "EOF");
  CHECK(df::chomp_heredoc_content("\t\ta\n\tb\t\n c\n") == "a\nb\t\n c\n");
}

}  // namespace
