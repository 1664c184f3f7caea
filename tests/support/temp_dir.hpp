// temp_dir.hpp: a temporary directory for one test, removed (with everything in it, mounts
// excepted) when the object goes away.
#pragma once

#include <filesystem>

namespace dbuild::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace dbuild::test
