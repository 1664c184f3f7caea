// dockerignore_test.cpp: the .dockerignore line rules beyond the conformance case: comments,
// line endings, the byte order mark, `!` handling, cleaning, and the line length limit.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "patterns/dockerignore.hpp"

namespace {

using Lines = std::vector<std::string>;

Lines parse(std::string_view text) {
  auto patterns = dbuild::patterns::parse_dockerignore(text);
  INFO(patterns.status().to_string());
  REQUIRE(patterns.has_value());
  return *patterns;
}

}  // namespace

TEST_CASE("only a hash in the first column starts a comment", "[patterns][dockerignore]") {
  CHECK(parse("# comment\n  # not a comment\n#\nfoo\n") == Lines{"# not a comment", "foo"});
}

TEST_CASE("CRLF line ends, blank lines and a missing final newline are handled", "[patterns][dockerignore]") {
  CHECK(parse("a\r\n\r\n  \t\nb\r\nc") == Lines{"a", "b", "c"});
  CHECK(parse("").empty());
  CHECK(parse("\n\n").empty());
}

TEST_CASE("a byte order mark is dropped from the first line only", "[patterns][dockerignore]") {
  CHECK(parse("\xEF\xBB\xBF"
              "a\n\xEF\xBB\xBF"
              "b\n") == Lines{"a",
                              "\xEF\xBB\xBF"
                              "b"});
  CHECK(parse("\xEF\xBB\xBF#comment\nx\n") == Lines{"x"});
}

TEST_CASE("patterns are cleaned and lose one leading slash, exceptions keep their mark", "[patterns][dockerignore]") {
  CHECK(parse("/a/../b/\n./c//d\n/\n! /e\n!\n! \n!!f\n") == Lines{"b", "c/d", "/", "!e", "!", "!", "!!f"});
}

TEST_CASE("a line longer than Docker's scanner accepts is an error naming the line", "[patterns][dockerignore]") {
  const std::string text = "ok\n" + std::string(65536, 'x') + "\n";
  auto patterns = dbuild::patterns::parse_dockerignore(text);
  REQUIRE_FALSE(patterns.has_value());
  CHECK_THAT(patterns.status().message(), Catch::Contains("line 2"));
  CHECK(parse(std::string(65535, 'y')).size() == 1);
}

TEST_CASE("the Dockerfile's own ignore file is preferred to the context's", "[patterns][dockerignore]") {
  CHECK(dbuild::patterns::dockerignore_candidates("build/Dockerfile2") ==
        Lines{"build/Dockerfile2.dockerignore", ".dockerignore"});
  CHECK(dbuild::patterns::dockerignore_candidates("") == Lines{".dockerignore"});
}
