// secure_path.cpp: symlink resolution clamped to a root, component by component.
#include "os/secure_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <string>

namespace dbuild::os {
namespace {

std::deque<std::string> components_of(std::string_view path) {
  std::deque<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto part = path.substr(start, end - start);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = end + 1;
  }
  return parts;
}

}  // namespace

sdk::Result<std::filesystem::path> secure_join(const std::filesystem::path& root, std::string_view path,
                                               FollowFinal follow) {
  std::deque<std::string> pending = components_of(path);
  std::vector<std::string> resolved;  // components below root, never ".."
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    std::string current = root.string();
    for (const auto& component : resolved) current += "/" + component;
    current += "/" + part;
    const bool last = pending.empty();
    struct stat info;
    if (::lstat(current.c_str(), &info) != 0 || !S_ISLNK(info.st_mode) || (last && follow == FollowFinal::No)) {
      resolved.push_back(std::move(part));
      continue;
    }
    if (++links > 255) return sdk::Status::invalid_argument("too many symlinks resolving " + std::string(path));
    std::string target(static_cast<std::size_t>(info.st_size) + 1, '\0');
    auto length = ::readlink(current.c_str(), target.data(), target.size());
    if (length < 0) return sdk::Status::unavailable("readlink " + current + ": " + std::strerror(errno));
    target.resize(static_cast<std::size_t>(length));
    if (!target.empty() && target.front() == '/') resolved.clear();
    auto link_parts = components_of(target);
    pending.insert(pending.begin(), link_parts.begin(), link_parts.end());
  }
  std::filesystem::path result = root;
  for (const auto& component : resolved) result /= component;
  return result;
}

sdk::Status secure_mkdir_all(const std::filesystem::path& root, std::string_view path, unsigned mode, unsigned uid,
                             unsigned gid) {
  // Create one component at a time, each resolved afresh, so a symlink met on the way is
  // followed inside the root only.
  auto parts = components_of(path);
  std::string prefix;
  for (const auto& part : parts) {
    prefix += "/" + part;
    auto resolved = secure_join(root, prefix);
    if (!resolved) return resolved.status();
    struct stat info;
    if (::stat(resolved->c_str(), &info) == 0) {
      if (!S_ISDIR(info.st_mode))
        return sdk::Status::failed_precondition("cannot create directory " + std::string(path) + ": " + prefix +
                                                " exists and is not a directory");
      continue;
    }
    if (::mkdir(resolved->c_str(), mode) != 0 && errno != EEXIST)
      return sdk::Status::unavailable("mkdir " + prefix + ": " + std::strerror(errno));
    if (::lchown(resolved->c_str(), uid, gid) != 0)
      return sdk::Status::unavailable("chown " + prefix + ": " + std::strerror(errno));
    ::chmod(resolved->c_str(), mode);  // umask must not narrow the requested mode
  }
  return sdk::Status::ok();
}

}  // namespace dbuild::os
