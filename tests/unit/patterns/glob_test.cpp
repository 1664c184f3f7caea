// glob_test.cpp: match_glob against Go's filepath.Match rules, beyond the conformance corpus:
// the errors, escapes and UTF-8 handling COPY source wildcards depend on.
#include <catch2/catch.hpp>

#include "patterns/glob.hpp"
#include "patterns/go_text.hpp"

namespace {

using dbuild::patterns::match_glob;

bool glob(std::string_view pattern, std::string_view name) {
  auto result = match_glob(pattern, name);
  INFO("pattern " << pattern << " name " << name << ": " << result.status().to_string());
  REQUIRE(result.has_value());
  return *result;
}

bool is_bad(std::string_view pattern, std::string_view name = "a") {
  auto result = match_glob(pattern, name);
  return !result.has_value() && result.status().code() == dbuild::sdk::Code::InvalidArgument;
}

}  // namespace

TEST_CASE("a star matches any run of characters within one path component", "[patterns][glob]") {
  CHECK(glob("*.go", "main.go"));
  CHECK(glob("*", ""));
  CHECK(glob("a*", "a"));
  CHECK_FALSE(glob("*", "a/b"));
  CHECK_FALSE(glob("a*b", "a/b"));
  CHECK(glob("a*/b", "abc/b"));
  CHECK(glob("*x", "xxx"));
  CHECK(glob("a*b*c*d*e*/f", "axbxcxdxexxx/f"));
  CHECK_FALSE(glob("a*b*c*d*e*/f", "axbxcxdxe/xxx/f"));
}

TEST_CASE("a question mark matches one whole UTF-8 character but never a slash", "[patterns][glob]") {
  CHECK(glob("a?b",
             "a\xE2\x98\xBA"
             "b"));
  CHECK_FALSE(glob("a???b",
                   "a\xE2\x98\xBA"
                   "b"));
  CHECK_FALSE(glob("a?b", "a/b"));
  CHECK(glob("?", "\xFF"));  // an invalid byte counts as one character, as in Go
}

TEST_CASE("classes take ranges and caret negation, and an exclamation mark is a literal", "[patterns][glob]") {
  CHECK(glob("ab[b-d]", "abc"));
  CHECK_FALSE(glob("ab[^b-d]", "abc"));
  CHECK(glob("[!a]", "!"));
  CHECK_FALSE(glob("[!a]", "b"));
  CHECK(glob("[a-\xCE\xB6]*", "\xCE\xB1"));
  CHECK(glob("[\\]a]", "]"));
  CHECK(glob("[x\\-]", "-"));
  CHECK_FALSE(glob("[^a]", "a"));
}

TEST_CASE("a backslash makes the next character literal", "[patterns][glob]") {
  CHECK(glob("a\\*b", "a*b"));
  CHECK_FALSE(glob("a\\*b", "axb"));
  CHECK(glob("\\[a]", "[a]"));
  CHECK(glob("a\\\\", "a\\"));
}

TEST_CASE("malformed patterns are syntax errors", "[patterns][glob]") {
  for (const char* pattern : {"[", "[^", "[^bc", "a[", "[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[\\", "[a-\\",
                              "[\xFF]", "x[", "a\\"}) {
    INFO(pattern);
    CHECK(is_bad(pattern));
  }
  CHECK(is_bad("[", "."));
  auto result = match_glob("[", "a");
  CHECK(result.status().message() == "syntax error in pattern \"[\"");
}

TEST_CASE("like Go, a malformed tail after a failed match is not reported", "[patterns][glob]") {
  CHECK_FALSE(glob("x*[", "."));
  CHECK(is_bad("*[", "."));
}

TEST_CASE("Go's path helpers clean and split paths like filepath.Clean and Dir", "[patterns][glob]") {
  using dbuild::patterns::clean_path;
  using dbuild::patterns::dir_path;
  CHECK(clean_path("") == ".");
  CHECK(clean_path("a//b/./c/..") == "a/b");
  CHECK(clean_path("/../a/") == "/a");
  CHECK(clean_path("../../a") == "../../a");
  CHECK(clean_path("a/../..") == "..");
  CHECK(clean_path("./a") == "a");
  CHECK(clean_path("//") == "/");
  CHECK(clean_path("!/a/../b") == "!/b");
  CHECK(dir_path("a/b/c") == "a/b");
  CHECK(dir_path("a") == ".");
  CHECK(dir_path("dir/file/") == "dir/file");
  CHECK(dir_path("/") == "/");
}

TEST_CASE("white space trimming follows Go's unicode.IsSpace", "[patterns][glob]") {
  using dbuild::patterns::trim_space;
  CHECK(trim_space(" \t a b \r\n") == "a b");
  CHECK(trim_space("\xC2\xA0x\xE3\x80\x80") == "x");  // no-break space, ideographic space
  CHECK(trim_space("x\xFF ") == "x\xFF");
  CHECK(trim_space("   ").empty());
}
