// temp_dir.cpp: mkdtemp and recursive removal.
#include "support/temp_dir.hpp"

#include <stdlib.h>

#include <stdexcept>
#include <string>

namespace dbuild::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "dbuild-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace dbuild::test
