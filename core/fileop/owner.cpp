// owner.cpp: --chown resolution with files read safely from the tree.
#include "fileop/owner.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string>

#include "executor/user.hpp"
#include "fileop/paths.hpp"

namespace dbuild::fileop::detail {
namespace {

std::optional<std::uint32_t> parse_id(std::string_view text) {
  std::uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A missing or unreadable file counts as empty, as it does for RUN's user lookup.
std::string read_tree_file(const std::filesystem::path& root, std::string_view path) {
  auto resolved = resolve_in(root, path, os::FollowFinal::Yes);
  if (!resolved) return {};
  auto root_fd = open_root(root.string());
  if (!root_fd) return {};
  auto fd = open_beneath(root_fd->get(), resolved->relative, O_RDONLY);
  if (!fd) return {};
  constexpr std::size_t kLimit = 16 << 20;  // a passwd file is small; refuse to slurp a huge one
  std::string text;
  char buffer[8192];
  for (ssize_t size; (size = ::read(fd->get(), buffer, sizeof buffer)) > 0 && text.size() < kLimit;)
    text.append(buffer, static_cast<std::size_t>(size));
  return text;
}

}  // namespace

sdk::Result<std::optional<Owner>> resolve_owner(const std::filesystem::path& root,
                                                const std::optional<sdk::Ownership>& chown) {
  if (!chown || (chown->user.empty() && chown->group.empty())) return std::optional<Owner>();
  Owner owner;
  std::string passwd, group;
  const bool needs_files =
      (!chown->user.empty() && !parse_id(chown->user)) || (!chown->group.empty() && !parse_id(chown->group));
  if (needs_files) {
    passwd = read_tree_file(root, "/etc/passwd");
    group = read_tree_file(root, "/etc/group");
  }
  if (auto uid = parse_id(chown->user)) {
    owner = {*uid, *uid};
  } else if (!chown->user.empty()) {
    auto user = executor::resolve_user(chown->user, passwd, group);
    if (!user) return user.status();
    owner = {user->uid, user->gid};
  }
  if (chown->group.empty()) return std::optional<Owner>(owner);
  if (auto gid = parse_id(chown->group)) {
    owner.gid = *gid;
    return std::optional<Owner>(owner);
  }
  auto by_group = executor::resolve_user("0:" + chown->group, passwd, group);
  if (!by_group) return by_group.status();
  owner.gid = by_group->gid;
  return std::optional<Owner>(owner);
}

}  // namespace dbuild::fileop::detail
