// layer_tar_dirs.cpp: entry path cleaning and symlink-free directory lookups for applying layers.
#include "snapshot/layer_tar_dirs.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include <fmt/format.h>

namespace dbuild::snapshot::detail {
namespace {

// Bounds the descriptors held open; deeper lookups walk on from the end of the chain.
constexpr std::size_t kMaxChain = 64;

std::size_t common_prefix(const std::vector<std::pair<std::string, Fd>>& chain, const std::vector<std::string>& parts,
                          std::size_t count) {
  std::size_t common = 0;
  while (common < chain.size() && common < count && chain[common].first == parts[common]) ++common;
  return common;
}

}  // namespace

sdk::Result<EntryPath> clean_entry_path(std::string_view raw) {
  if (raw.empty()) return sdk::Status::invalid_argument("empty path");
  if (raw.front() == '/') return sdk::Status::invalid_argument("absolute path");
  EntryPath path;
  std::size_t start = 0;
  while (start <= raw.size()) {
    std::size_t end = raw.find('/', start);
    if (end == std::string_view::npos) end = raw.size();
    const std::string_view part = raw.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part != "..") {
      path.parts.emplace_back(part);
      continue;
    }
    if (path.parts.empty()) return sdk::Status::invalid_argument("path escapes the target");
    path.parts.pop_back();
  }
  path.text = join_path(path.parts, path.parts.size());
  return path;
}

sdk::Result<Fd> open_directory_at(int parent, const std::string& name, Create create, std::string_view display) {
  constexpr int kFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  Fd fd(::openat(parent, name.c_str(), kFlags));
  if (!fd.valid() && errno == ENOENT && create == Create::Yes) {
    if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST)
      return errno_status(errno, display, "cannot create directory");
    fd = Fd(::openat(parent, name.c_str(), kFlags));
  }
  if (fd.valid()) return fd;
  const int error = errno;
  if (error == ENOTDIR || error == ELOOP) {
    struct stat stat {};
    const bool symlink = ::fstatat(parent, name.c_str(), &stat, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(stat.st_mode);
    return sdk::Status::invalid_argument(fmt::format(
        "\"{}\" is {}", display, symlink ? "a symlink, which a layer may not write through" : "not a directory"));
  }
  return errno_status(error, display, "cannot open directory");
}

sdk::Result<Fd> open_directory_path(int root_fd, const std::vector<std::string>& parts, std::size_t count,
                                    Create create) {
  Fd current(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (!current.valid()) return errno_status(errno, ".", "cannot open directory");
  for (std::size_t i = 0; i < count; ++i) {
    auto next = open_directory_at(current.get(), parts[i], create, join_path(parts, i + 1));
    if (!next) return next.status();
    current = std::move(*next);
  }
  return current;
}

sdk::Result<int> DirChain::open(const std::vector<std::string>& parts, std::size_t count, Create create) {
  const std::size_t common = common_prefix(chain_, parts, count);
  chain_.erase(chain_.begin() + static_cast<std::ptrdiff_t>(common), chain_.end());
  int fd = chain_.empty() ? root_fd_ : chain_.back().second.get();
  for (std::size_t i = common; i < count; ++i) {
    auto next = open_directory_at(fd, parts[i], create, join_path(parts, i + 1));
    if (!next) return next.status();
    if (chain_.size() == i && i < kMaxChain) {
      chain_.emplace_back(parts[i], std::move(*next));
      fd = chain_.back().second.get();
    } else {
      deep_ = std::move(*next);
      fd = deep_.get();
    }
  }
  return fd;
}

void DirChain::forget(const std::vector<std::string>& parts, std::size_t count) {
  if (count == 0) return;  // the target itself is never removed
  if (common_prefix(chain_, parts, count) == count)
    chain_.erase(chain_.begin() + static_cast<std::ptrdiff_t>(count - 1), chain_.end());
}

}  // namespace dbuild::snapshot::detail
