// tree.cpp: filter checks and wildcard resolution over a source tree.
#include "fileop/tree.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "fileop/fs_util.hpp"
#include "fileop/paths.hpp"
#include "patterns/glob.hpp"

namespace dbuild::fileop::detail {
namespace {

struct WildcardWalk {
  const Tree& tree;
  std::string pattern;
  std::size_t depth = 0;  // components in the pattern: deeper paths cannot match
  std::vector<std::string> matches;

  sdk::Status walk(int dir_fd, const std::string& base_relative, const std::string& relative, std::size_t level) {
    auto names = list_names(dir_fd, "/" + join_relative(base_relative, relative));
    if (!names) return names.status();
    for (const auto& name : *names) {
      struct stat info;
      if (::fstatat(dir_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) continue;
      const std::string child = join_relative(relative, name);
      const std::string full = join_relative(base_relative, child);
      const bool is_dir = S_ISDIR(info.st_mode);
      if (!tree.admits(full, is_dir)) continue;
      auto matched = patterns::match_glob(pattern, child);
      if (matched && *matched) {  // a malformed pattern matches nothing, as in BuildKit
        matches.push_back(full);  // a matching directory is taken whole, not searched
        continue;
      }
      if (!is_dir || level + 1 >= depth) continue;
      os::UniqueFd child_fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child_fd.valid()) return errno_status(errno, "open", "/" + full);
      if (auto status = walk(child_fd.get(), base_relative, child, level + 1); !status) return status;
    }
    return sdk::Status::ok();
  }
};

}  // namespace

bool contains_wildcards(std::string_view name) {
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\') {
      ++i;
    } else if (name[i] == '*' || name[i] == '?' || name[i] == '[') {
      return true;
    }
  }
  return false;
}

bool Tree::admits_path(std::string_view relative, bool is_dir) const {
  if (filter == nullptr || !*filter) return true;
  for (std::size_t slash = relative.find('/'); slash != std::string_view::npos; slash = relative.find('/', slash + 1)) {
    if (!(*filter)(relative.substr(0, slash), true)) return false;
  }
  return admits(relative, is_dir);
}

WildcardSplit split_wildcards(std::string_view path) {
  WildcardSplit split;
  bool found = false;
  for (const auto& part : components_of(path)) {
    found = found || contains_wildcards(part);
    std::string& side = found ? split.pattern : split.base;
    if (found && side.empty()) {
      side = part;
    } else {
      side += "/" + part;
    }
  }
  if (split.base.empty()) split.base = "/";
  return split;
}

sdk::Result<std::vector<std::string>> resolve_wildcards(const Tree& tree, std::string_view path, bool follow_final) {
  auto split = split_wildcards(path);
  if (split.pattern.empty()) return std::vector<std::string>{split.base.substr(1)};  // as given, unresolved
  auto base = resolve_in(tree.root, split.base, follow_final ? os::FollowFinal::Yes : os::FollowFinal::No);
  if (!base) return base.status();
  struct stat info;
  const std::string name = base->relative.empty() ? std::string(".") : base->relative;
  if (::fstatat(tree.fd.get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0 ||
      !tree.admits_path(base->relative, S_ISDIR(info.st_mode)))
    return sdk::Status::not_found(fmt::format("\"{}\": not found", path));
  if (!S_ISDIR(info.st_mode)) return std::vector<std::string>{};  // nothing below a file matches
  auto fd = open_beneath(tree.fd.get(), base->relative, O_RDONLY | O_DIRECTORY);
  if (!fd) return fd.status();
  WildcardWalk walk{tree,
                    split.pattern,
                    static_cast<std::size_t>(std::count(split.pattern.begin(), split.pattern.end(), '/')) + 1,
                    {}};
  if (auto status = walk.walk(fd->get(), base->relative, "", 0); !status) return status;
  return std::move(walk.matches);
}

}  // namespace dbuild::fileop::detail
