// skip.hpp: skipping a test that needs something this machine lacks (root, runc, a service).
// CTest counts exit code 77 as "skipped", never as passed. With DBUILD_REQUIRE_INTEGRATION=1
// (CI sets it) a skip is a failure instead, so CI cannot pass by skipping.
#pragma once

#include <string_view>

namespace dbuild::test {

inline constexpr int kSkipExitCode = 77;

/// Skips the running test case with `reason`, or fails it under DBUILD_REQUIRE_INTEGRATION=1.
/// Ends the process: each test case runs in its own process under CTest.
[[noreturn]] void skip_test(std::string_view reason);

/// Skips unless running as root.
void require_root();

/// True when DBUILD_REQUIRE_INTEGRATION=1.
[[nodiscard]] bool integration_required();

}  // namespace dbuild::test
