// mount_stubs.hpp: a bind mount onto a file path that does not exist makes the runtime create an
// empty file there, which would then end up in the step's layer. As BuildKit does, remember
// which mount targets were missing and remove the empty files the runtime created for them;
// directories made for mounts stay, as they do in BuildKit's layers.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dbuild::executor {

class MountStubs {
 public:
  /// Records which components of each target (a path inside `rootfs`) do not exist yet.
  MountStubs(const std::filesystem::path& rootfs, const std::vector<std::string>& targets);
  /// Removes the recorded paths that are now empty regular files, deepest first.
  void remove() const;

 private:
  std::vector<std::filesystem::path> missing_;  // shallowest first
};

}  // namespace dbuild::executor
