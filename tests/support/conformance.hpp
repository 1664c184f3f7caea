// conformance.hpp: finding the shared conformance corpus (../shared/conformance) from a test, and
// reading its files. A missing corpus skips the test (a failure under DBUILD_REQUIRE_INTEGRATION=1).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace dbuild::test {

/// `root`/`corpus` (root is the DBUILD_CONFORMANCE_DIR the build defines), or a skip when absent.
[[nodiscard]] std::filesystem::path conformance_corpus(std::string_view root, std::string_view corpus);

/// The whole file as bytes; fails the test when it cannot be read.
[[nodiscard]] std::string read_bytes(const std::filesystem::path& path);

}  // namespace dbuild::test
