// skip.cpp: the skip-or-fail rule for tests that need root or a service.
#include "support/skip.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <catch2/catch.hpp>

namespace dbuild::test {

bool integration_required() {
  const char* value = std::getenv("DBUILD_REQUIRE_INTEGRATION");
  return value && std::strcmp(value, "1") == 0;
}

void skip_test(std::string_view reason) {
  if (integration_required()) {
    FAIL("DBUILD_REQUIRE_INTEGRATION=1 and this test cannot run: " << std::string(reason));
  }
  std::cout << "SKIPPED: " << reason << std::endl;
  std::cerr << "SKIPPED: " << reason << std::endl;
  std::exit(kSkipExitCode);
}

void require_root() {
  if (geteuid() != 0) skip_test("needs root");
}

}  // namespace dbuild::test
