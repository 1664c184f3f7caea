// chmod_test.cpp: --chmod values, octal and symbolic, parsed and applied as BuildKit does.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "fileop/chmod.hpp"

namespace dbuild::fileop {
namespace {

mode_t apply(const char* text, mode_t mode) {
  auto change = ModeChange::parse(text);
  INFO(text << ": " << change.status().to_string());
  REQUIRE(change.has_value());
  return change->apply(mode);
}

}  // namespace

TEST_CASE("an octal chmod replaces every permission bit, special bits included", "[fileop][chmod]") {
  CHECK(apply("0755", S_IFREG | 04644) == 0755);
  CHECK(apply("755", S_IFDIR | 0700) == 0755);
  CHECK(apply("4755", S_IFREG | 0644) == 04755);
  CHECK(apply("01777", S_IFDIR | 0755) == 01777);
  CHECK(apply("0", S_IFREG | 0644) == 0);
}

TEST_CASE("a symbolic chmod changes only what its clauses name", "[fileop][chmod]") {
  CHECK(apply("u+x", S_IFREG | 0644) == 0744);
  CHECK(apply("g-w", S_IFREG | 0664) == 0644);
  CHECK(apply("o=r", S_IFREG | 0666) == 0664);
  CHECK(apply("u+x,g-w,o=r", S_IFREG | 0676) == 0754);
  CHECK(apply("go-rwx", S_IFREG | 0777) == 0700);
  CHECK(apply("a=rw", S_IFREG | 0777) == 0666);
  CHECK(apply("+x", S_IFREG | 0644) == 0755);  // no "who": everyone, the umask plays no part
  CHECK(apply("=r", S_IFREG | 0777) == 0444);
  CHECK(apply("u+x-w", S_IFREG | 0644) == 0544);
  CHECK(apply("o=", S_IFREG | 0777) == 0770);
}

TEST_CASE("a+X adds execute to directories and to files that are executable already", "[fileop][chmod]") {
  CHECK(apply("a+X", S_IFDIR | 0600) == 0711);
  CHECK(apply("a+X", S_IFREG | 0600) == 0600);
  CHECK(apply("a+X", S_IFREG | 0700) == 0711);
  CHECK(apply("go+rX", S_IFDIR | 0700) == 0755);
}

TEST_CASE("symbolic chmod sets special bits and copies permissions between classes", "[fileop][chmod]") {
  CHECK(apply("u+s", S_IFREG | 0755) == 04755);
  CHECK(apply("g+s", S_IFDIR | 0755) == 02755);
  CHECK(apply("+t", S_IFDIR | 0777) == 01777);
  CHECK(apply("u-s", S_IFREG | 04755) == 0755);
  CHECK(apply("g=u", S_IFREG | 0740) == 0770);
  CHECK(apply("o=g", S_IFREG | 0750) == 0755);
  CHECK(apply("u=rx", S_IFREG | 04755) == 0555);  // "=" clears the class's special bit too
}

TEST_CASE("an invalid chmod is invalid_argument naming the value", "[fileop][chmod]") {
  for (const char* text : {"u+q", "8755", "x", "u", "u+x,", ",u+x", "0777777", "rwx", "u+x;g-w"}) {
    auto change = ModeChange::parse(text);
    INFO(text);
    REQUIRE_FALSE(change.has_value());
    CHECK(change.status().code() == sdk::Code::InvalidArgument);
    CHECK_THAT(change.status().message(), Catch::Contains(std::string("\"") + text + "\""));
  }
}

}  // namespace dbuild::fileop
