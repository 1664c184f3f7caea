// pattern_matcher_test.cpp: .dockerignore-style pattern lists: cleaning, errors, evaluation order,
// Docker's corner cases, and the helpers a walk uses to skip directories.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "patterns/pattern_matcher.hpp"

namespace {

using dbuild::patterns::MatchInfo;
using dbuild::patterns::Pattern;
using dbuild::patterns::PatternMatcher;

PatternMatcher compile(std::vector<std::string> patterns) {
  auto matcher = PatternMatcher::compile(std::move(patterns));
  INFO(matcher.status().to_string());
  REQUIRE(matcher.has_value());
  return std::move(*matcher);
}

bool matches(const PatternMatcher& matcher, std::string_view path) {
  auto result = matcher.matches(path);
  INFO(path << ": " << result.status().to_string());
  REQUIRE(result.has_value());
  return *result;
}

std::vector<std::string> texts(const PatternMatcher& matcher) {
  std::vector<std::string> out;
  for (const Pattern& pattern : matcher.patterns()) out.push_back((pattern.exception() ? "!" : "") + pattern.text());
  return out;
}

}  // namespace

TEST_CASE("patterns are trimmed, cleaned and made relative to the root", "[patterns][matcher]") {
  const auto matcher = compile({"  ./a/b/ ", "/c", "d//e/../f", "", "  ", "!/g/./h", "/", "! i"});
  CHECK(texts(matcher) == std::vector<std::string>{"a/b", "c", "d/f", "!g/h", "! i"});
  CHECK(matcher.has_exclusions());
  CHECK(matches(matcher, "c"));
  CHECK(matches(matcher, "a/b/x"));
}

TEST_CASE("a lone exclamation mark and malformed patterns are refused, naming the pattern", "[patterns][matcher]") {
  for (const char* bad : {"!", " ! ", "!/"}) {
    auto matcher = PatternMatcher::compile({"docs", bad});
    INFO(bad);
    REQUIRE_FALSE(matcher.has_value());
    CHECK_THAT(matcher.status().message(), Catch::Contains("illegal exclusion pattern"));
  }
  auto malformed = PatternMatcher::compile({"a/[b"});
  REQUIRE_FALSE(malformed.has_value());
  CHECK(malformed.status().code() == dbuild::sdk::Code::InvalidArgument);
  CHECK_THAT(malformed.status().message(), Catch::Contains("a/[b"));
}

TEST_CASE("the last matching pattern decides, and a matching directory covers what is below it",
          "[patterns][matcher]") {
  const auto matcher = compile({"docs", "!docs/README.md", "docs/README.md/x", "*.tmp", "!keep.tmp"});
  CHECK(matches(matcher, "docs"));
  CHECK(matches(matcher, "docs/a/b"));
  CHECK_FALSE(matches(matcher, "docs/README.md"));
  CHECK(matches(matcher, "docs/README.md/x/y"));
  CHECK(matches(matcher, "a.tmp"));
  CHECK_FALSE(matches(matcher, "keep.tmp"));
  CHECK_FALSE(matches(matcher, "src/a.tmp"));  // '*' stays within one component
}

TEST_CASE("the match kind is chosen as Docker chooses it, shortcuts included", "[patterns][matcher]") {
  const auto matcher = compile({"**file", "dir/**", "a.b", "x*"});
  const auto& patterns = matcher.patterns();
  CHECK(patterns[0].kind() == Pattern::Kind::Suffix);
  CHECK(patterns[1].kind() == Pattern::Kind::Prefix);
  CHECK(patterns[2].kind() == Pattern::Kind::Exact);
  CHECK(patterns[3].kind() == Pattern::Kind::Regex);
  CHECK(patterns[3].regex_text() == "^x[^/]*$");
  // A leading "**" followed by a literal is a suffix test, so it also matches inside a name.
  CHECK(matches(compile({"**file"}), "dir/myfile"));
  CHECK_FALSE(matches(compile({"**/file"}), "dir/myfile"));
  CHECK(matches(compile({"a/**/b"}), "a/b"));
  CHECK(matches(compile({"a/**/b"}), "a/x/y/b"));
}

TEST_CASE("odd patterns behave as Docker's regexp translation makes them behave", "[patterns][matcher]") {
  CHECK(matches(compile({"a^b"}), "a^b"));          // no wildcard: compared as a string
  CHECK_FALSE(matches(compile({"a^b*"}), "a^bc"));  // but in a regexp '^' is an anchor
  CHECK(matches(compile({"a\\^b*"}), "a^bc"));
  CHECK(matches(compile({"[*]"}), "^]"));  // the class closes inside "[^/]*"
  CHECK_FALSE(matches(compile({"[*]"}), "*"));
  CHECK_FALSE(matches(compile({"a/**/b"}), "a/x\ny/b"));  // '.' in "(.*/)?" does not match '\n'
  CHECK(matches(compile({"a*"}), "a\nb"));
  CHECK(matches(compile({"a(b)c+{d}|$"}), "a(b)c+{d}|$"));
  // Docker leaves '|', '{' and '}' unescaped in its regexp: with a wildcard they are operators.
  const auto alternation = compile({"*.txt|*.md"});
  CHECK(matches(alternation, "notes.txt-and-more"));
  CHECK(matches(alternation, "deep/dir/readme.md"));
  CHECK_FALSE(matches(alternation, "a.md.bak"));
  CHECK(matches(compile({"x*y{2}"}), "xayy"));
  CHECK_FALSE(matches(compile({"x*y{2}"}), "xay{2}"));
  CHECK_FALSE(compile({"x*{2}"}).matches("x").has_value());
}

TEST_CASE("a pattern only Docker's regexp rejects fails when it has to be tried, every time", "[patterns][matcher]") {
  const auto matcher = compile({"foo", "!x[l-O]"});
  CHECK_FALSE(matches(matcher, "bar"));  // the exception is never tried for an unmatched path
  for (int i = 0; i < 2; ++i) {
    auto result = matcher.matches("foo");
    REQUIRE_FALSE(result.has_value());
    CHECK_THAT(result.status().message(), Catch::Contains("syntax error in pattern"));
  }
}

TEST_CASE("incremental matching remembers parents and differs only where Docker's does", "[patterns][matcher]") {
  const auto matcher = compile({"a/*/c", "!a/b"});
  MatchInfo a_info, b_info, c_info;
  REQUIRE(matcher.matches_incrementally("a", MatchInfo{}, a_info).has_value());
  REQUIRE(matcher.matches_incrementally("a/b", a_info, b_info).has_value());
  auto c = matcher.matches_incrementally("a/b/c", b_info, c_info);
  REQUIRE(c.has_value());
  CHECK(*c);                               // the skipped exception was not remembered for "a/b"
  CHECK_FALSE(matches(matcher, "a/b/c"));  // but matches() tries it on the parents

  const auto other = compile({"x"});
  MatchInfo info;
  CHECK_FALSE(other.matches_incrementally("x/y", b_info, info).has_value());
}

TEST_CASE("a walk may skip a directory only when no pattern can reach below it", "[patterns][matcher]") {
  const auto literal = compile({"foo*", "!foo/bar2", "!baz/**"});
  CHECK(literal.exceptions_may_match_below("foo"));
  CHECK(literal.exceptions_may_match_below("baz"));
  CHECK_FALSE(literal.exceptions_may_match_below("foo2"));
  CHECK_FALSE(literal.exceptions_may_match_below("fo"));

  CHECK_FALSE(compile({"foo"}).exceptions_may_match_below("foo"));
  CHECK(compile({"foo", "!**/keep"}).exceptions_may_match_below("foo"));

  const auto include = compile({"src/app", "lib/*"});
  CHECK(include.may_match_below("src"));
  CHECK(include.may_match_below("lib"));
  CHECK_FALSE(include.may_match_below("docs"));
  CHECK(compile({"b*/f*"}).may_match_below("docs"));
}
