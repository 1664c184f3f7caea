// user.cpp: passwd/group parsing and user resolution.
#include "executor/user.hpp"

#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

#include "os/secure_path.hpp"

namespace dbuild::executor {
namespace {

std::optional<std::uint32_t> parse_id(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split(std::string_view line, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto end = line.find(separator, start);
    parts.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// Calls `row` for each well-formed line (at least `fields` colon-separated fields).
template <class F>
void for_each_row(std::string_view file, std::size_t fields, F row) {
  std::size_t start = 0;
  while (start < file.size()) {
    auto end = file.find('\n', start);
    auto line = file.substr(start, end == std::string_view::npos ? end : end - start);
    start = end == std::string_view::npos ? file.size() : end + 1;
    if (line.empty() || line.front() == '#') continue;
    auto parts = split(line, ':');
    if (parts.size() >= fields && row(parts)) return;
  }
}

struct PasswdEntry {
  std::string name;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string home;
};

std::optional<PasswdEntry> find_user(std::string_view passwd, std::string_view name_or_id) {
  auto id = parse_id(name_or_id);
  std::optional<PasswdEntry> found;
  for_each_row(passwd, 7, [&](const std::vector<std::string_view>& parts) {
    auto uid = parse_id(parts[2]), gid = parse_id(parts[3]);
    if (!uid || !gid) return false;
    if (id ? *uid != *id : parts[0] != name_or_id) return false;
    found = PasswdEntry{std::string(parts[0]), *uid, *gid, std::string(parts[5])};
    return true;
  });
  return found;
}

std::optional<std::uint32_t> find_group(std::string_view group, std::string_view name_or_id) {
  auto id = parse_id(name_or_id);
  std::optional<std::uint32_t> found;
  for_each_row(group, 3, [&](const std::vector<std::string_view>& parts) {
    auto gid = parse_id(parts[2]);
    if (!gid || (id ? *gid != *id : parts[0] != name_or_id)) return false;
    found = *gid;
    return true;
  });
  return found;
}

std::vector<std::uint32_t> groups_listing(std::string_view group, std::string_view user, std::uint32_t primary) {
  std::vector<std::uint32_t> gids;
  if (user.empty()) return gids;
  for_each_row(group, 4, [&](const std::vector<std::string_view>& parts) {
    auto gid = parse_id(parts[2]);
    if (!gid || *gid == primary) return false;
    for (auto member : split(parts[3], ','))
      if (member == user) gids.push_back(*gid);
    return false;
  });
  return gids;
}

std::string read_file_in(const std::filesystem::path& rootfs, const char* relative) {
  // Resolved inside the rootfs: an image whose /etc (or /etc/passwd) is a symlink to the host's
  // must not make dbuild read the host's file.
  auto path = os::secure_join(rootfs, relative);
  if (!path) return {};
  std::ifstream in(*path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

sdk::Result<ResolvedUser> resolve_user(std::string_view spec, std::string_view passwd, std::string_view group) {
  auto colon = spec.find(':');
  auto user_part = spec.substr(0, colon);
  auto group_part = colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
  if (user_part.empty() && !spec.empty()) return sdk::Status::invalid_argument("invalid user \"" + std::string(spec) + "\"");

  ResolvedUser resolved;
  std::string user_name;
  if (user_part.empty()) {
    user_part = "0";
  }
  if (auto entry = find_user(passwd, user_part)) {
    resolved.uid = entry->uid;
    resolved.gid = entry->gid;
    resolved.home = entry->home;
    user_name = entry->name;
  } else if (auto uid = parse_id(user_part)) {
    resolved.uid = *uid;  // a numeric user need not exist; its group is root's
  } else {
    return sdk::Status::not_found("unable to find user " + std::string(user_part) + ": no matching entries in passwd file");
  }
  if (!group_part.empty()) {
    if (auto gid = find_group(group, group_part)) resolved.gid = *gid;
    else if (auto numeric = parse_id(group_part)) resolved.gid = *numeric;
    else return sdk::Status::not_found("unable to find group " + std::string(group_part) + ": no matching entries in group file");
  } else {
    resolved.additional_gids = groups_listing(group, user_name, resolved.gid);
  }
  return resolved;
}

sdk::Result<ResolvedUser> resolve_user_in(const std::filesystem::path& rootfs, std::string_view spec) {
  return resolve_user(spec, read_file_in(rootfs, "etc/passwd"), read_file_in(rootfs, "etc/group"));
}

}  // namespace dbuild::executor
