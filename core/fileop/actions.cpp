// actions.cpp: mkdir, mkfile, rm and symlink, after BuildKit's solver/llbsolver/file/backend.go,
// with every path resolved inside the tree and every change made through a descriptor beneath it.
#include "fileop/actions.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include <fmt/format.h>

#include "fileop/fs_util.hpp"
#include "fileop/owner.hpp"
#include "fileop/paths.hpp"
#include "fileop/tree.hpp"

namespace dbuild::fileop {
namespace {

using namespace detail;

// What a created entry's times become: the action's timestamp, else SOURCE_DATE_EPOCH if any.
std::optional<timespec> creation_time(const std::optional<std::int64_t>& timestamp, const CopyContext& context) {
  if (timestamp) return seconds_to_timespec(*timestamp);
  if (context.source_date_epoch) return seconds_to_timespec(*context.source_date_epoch);
  return std::nullopt;
}

// An action's tree and the path it names, resolved (the last symlink followed, as BuildKit's
// fs.RootPath does) and split into its parent and name.
struct Target {
  os::UniqueFd root;
  Resolved resolved;
  std::optional<Owner> owner;
};

sdk::Result<Target> prepare(const std::filesystem::path& root, std::string_view path,
                            const std::optional<sdk::Ownership>& chown) {
  Target target;
  auto owner = resolve_owner(root, chown);
  if (!owner) return owner.status();
  target.owner = *owner;
  auto fd = open_root(root.string());
  if (!fd) return fd.status();
  target.root = std::move(*fd);
  auto resolved = resolve_in(root, path, os::FollowFinal::Yes);
  if (!resolved) return resolved.status();
  target.resolved = std::move(*resolved);
  return target;
}

sdk::Status set_owner_and_time(int dir, const std::string& name, const std::optional<Owner>& owner,
                               const std::optional<timespec>& time, const std::string& display) {
  if (owner && ::fchownat(dir, name.c_str(), owner->uid, owner->gid, AT_SYMLINK_NOFOLLOW) != 0)
    return errno_status(errno, "chown", display);
  if (time) {
    const timespec times[2] = {*time, *time};
    if (::utimensat(dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) return errno_status(errno, "utime", display);
  }
  return sdk::Status::ok();
}

sdk::Status write_temporary(int fd, const sdk::MkfileAction& action, const std::optional<Owner>& owner,
                            const std::optional<timespec>& time, const CopyContext& context,
                            const std::string& display) {
  if (auto status = write_all(fd, action.data, display); !status) return status;
  if (context.on_bytes && !action.data.empty()) context.on_bytes(action.data.size());
  if (::fchmod(fd, action.mode & 0777) != 0) return errno_status(errno, "chmod", display);
  if (owner && ::fchown(fd, owner->uid, owner->gid) != 0) return errno_status(errno, "chown", display);
  if (time) {
    const timespec times[2] = {*time, *time};
    if (::futimens(fd, times) != 0) return errno_status(errno, "utime", display);
  }
  return sdk::Status::ok();
}

// BuildKit's rmPath: the parent is resolved, the last component is removed as it is.
sdk::Status remove_path(const std::filesystem::path& root, int root_fd, std::string_view path, bool allow_not_found) {
  const std::string cleaned = go_clean("/" + std::string(path));
  const std::string name = go_split(cleaned).file;
  if (name.empty()) return sdk::Status::invalid_argument(fmt::format("rm {}: invalid empty path", cleaned));
  auto parent = resolve_in(root, go_split(cleaned).dir, os::FollowFinal::Yes);
  if (!parent) return parent.status();
  if (!allow_not_found) {
    // os.Stat follows a final symlink, so a dangling one counts as missing; follow it inside the tree.
    auto followed = resolve_in(root, "/" + join_relative(parent->relative, name), os::FollowFinal::Yes);
    if (!followed) return followed.status();
    struct stat info;
    const std::string& relative = followed->relative;
    if (::fstatat(root_fd, relative.empty() ? "." : relative.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0)
      return errno_status(errno, "stat", cleaned);
  }
  const int fd = open_beneath_raw(root_fd, parent->relative, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return (allow_not_found && errno == ENOENT) ? sdk::Status::ok() : errno_status(errno, "remove", cleaned);
  os::UniqueFd parent_fd(fd);
  return remove_tree_at(parent_fd.get(), name, cleaned);
}

}  // namespace

sdk::Status mkdir(const std::filesystem::path& root, const sdk::MkdirAction& action, const CopyContext& context) {
  auto target = prepare(root, action.path, action.chown);
  if (!target) return target.status();
  const mode_t mode = action.mode & 0777;
  const auto time = creation_time(action.timestamp, context);
  const std::string& relative = target->resolved.relative;
  if (action.make_parents) {
    std::vector<std::string> created;
    auto made = mkdir_all(target->root.get(), relative, mode, target->owner, &created);
    if (!made) return made.status();
    return time ? set_times(target->root.get(), created, *time) : sdk::Status::ok();
  }
  if (relative.empty()) return sdk::Status::ok();  // "/" exists
  const std::string display = target->resolved.display();
  const int parent_fd = open_beneath_raw(target->root.get(), parent_of(relative), O_RDONLY | O_DIRECTORY);
  if (parent_fd < 0) return errno_status(errno, "mkdir", display);
  os::UniqueFd parent(parent_fd);
  const std::string name = name_of(relative);
  if (::mkdirat(parent.get(), name.c_str(), mode) != 0) {
    if (errno == EEXIST) return sdk::Status::ok();  // BuildKit ignores an existing path here
    return errno_status(errno, "mkdir", display);
  }
  if (::fchmodat(parent.get(), name.c_str(), mode, 0) != 0) return errno_status(errno, "chmod", display);
  return set_owner_and_time(parent.get(), name, target->owner, time, display);
}

sdk::Status mkfile(const std::filesystem::path& root, const sdk::MkfileAction& action, const CopyContext& context) {
  auto target = prepare(root, action.path, action.chown);
  if (!target) return target.status();
  const std::string& relative = target->resolved.relative;
  const std::string display = target->resolved.display();
  if (relative.empty()) return errno_status(EISDIR, "mkfile", display);
  const int parent_fd = open_beneath_raw(target->root.get(), parent_of(relative), O_RDONLY | O_DIRECTORY);
  if (parent_fd < 0) return errno_status(errno, "open", display);
  os::UniqueFd parent(parent_fd);
  // Written next to the path and renamed over it: what is there (a device, a FIFO) is replaced,
  // never opened, and a reader never sees half a file.
  std::random_device random;
  std::string temporary;
  os::UniqueFd fd;
  for (int attempt = 0; attempt < 100 && !fd.valid(); ++attempt) {
    temporary = fmt::format(".tmp-mkfile{}", random());
    fd.reset(::openat(parent.get(), temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() && errno != EEXIST) return errno_status(errno, "open", display);
  }
  if (!fd.valid()) return errno_status(EEXIST, "open", display);
  auto status =
      write_temporary(fd.get(), action, target->owner, creation_time(action.timestamp, context), context, display);
  fd.reset();
  if (status && ::renameat(parent.get(), temporary.c_str(), parent.get(), name_of(relative).c_str()) != 0)
    status = errno_status(errno, "rename", display);
  if (!status) ::unlinkat(parent.get(), temporary.c_str(), 0);
  return status;
}

sdk::Status rm(const std::filesystem::path& root, const sdk::RmAction& action, const CopyContext& context) {
  if (context.stop.stop_requested()) return sdk::Status::cancelled("rm cancelled");
  auto fd = open_root(root.string());
  if (!fd) return fd.status();
  if (!action.allow_wildcard) return remove_path(root, fd->get(), action.path, action.allow_not_found);
  Tree tree{root, std::move(*fd), nullptr};
  auto matches = resolve_wildcards(tree, clean_action_path(action.path), false);
  if (!matches) return matches.status();
  for (const auto& match : *matches) {
    if (context.stop.stop_requested()) return sdk::Status::cancelled("rm cancelled");
    if (auto status = remove_path(root, tree.fd.get(), match, action.allow_not_found); !status) return status;
  }
  return sdk::Status::ok();
}

sdk::Status symlink(const std::filesystem::path& root, const sdk::SymlinkAction& action, const CopyContext& context) {
  auto target = prepare(root, action.path, action.chown);
  if (!target) return target.status();
  const std::string& relative = target->resolved.relative;
  const std::string display = target->resolved.display();
  const std::string op = fmt::format("symlink {}", action.target);
  if (relative.empty()) return errno_status(EEXIST, op, display);
  const int parent_fd = open_beneath_raw(target->root.get(), parent_of(relative), O_RDONLY | O_DIRECTORY);
  if (parent_fd < 0) return errno_status(errno, op, display);
  os::UniqueFd parent(parent_fd);
  const std::string name = name_of(relative);
  if (::symlinkat(action.target.c_str(), parent.get(), name.c_str()) != 0) return errno_status(errno, op, display);
  return set_owner_and_time(parent.get(), name, target->owner, creation_time(action.timestamp, context), display);
}

}  // namespace dbuild::fileop
