// Finding and reading the shared conformance corpus (see conformance.hpp).
#include "support/conformance.hpp"

#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "support/skip.hpp"

namespace dbuild::test {

std::filesystem::path conformance_corpus(std::string_view root, std::string_view corpus) {
  const std::filesystem::path dir = std::filesystem::path(root) / corpus;
  if (!std::filesystem::exists(dir)) skip_test("conformance corpus not found: " + dir.string());
  return dir;
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot read " << path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace dbuild::test
