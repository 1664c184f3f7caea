// mount_stubs.cpp: recording and removing mount point stubs.
#include "executor/mount_stubs.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "os/secure_path.hpp"

namespace dbuild::executor {

MountStubs::MountStubs(const std::filesystem::path& rootfs, const std::vector<std::string>& targets) {
  for (const auto& target : targets) {
    std::string prefix;
    std::size_t start = 1;
    while (start <= target.size()) {
      auto end = target.find('/', start);
      if (end == std::string::npos) end = target.size();
      prefix = target.substr(0, end);
      start = end + 1;
      if (prefix.empty() || prefix.back() == '/') continue;
      auto resolved = os::secure_join(rootfs, prefix);
      if (!resolved) break;
      struct stat info;
      if (::lstat(resolved->c_str(), &info) == 0) continue;
      if (std::find(missing_.begin(), missing_.end(), *resolved) == missing_.end()) missing_.push_back(*resolved);
    }
  }
}

void MountStubs::remove() const {
  for (auto it = missing_.rbegin(); it != missing_.rend(); ++it) {
    struct stat info;
    if (::lstat(it->c_str(), &info) != 0) continue;
    if (S_ISREG(info.st_mode) && info.st_size == 0) ::unlink(it->c_str());
  }
}

}  // namespace dbuild::executor
