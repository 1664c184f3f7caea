// paths.cpp: Go-compatible path cleaning and splitting, and resolution inside a tree.
#include "fileop/paths.hpp"

namespace dbuild::fileop::detail {

std::string go_clean(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t leading_dotdots = 0;  // ".." that cannot be folded (relative paths only)
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto part = path.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.size() > leading_dotdots) {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
        ++leading_dotdots;
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

std::string clean_action_path(std::string_view path) {
  std::string cleaned = go_clean("/" + std::string(path));
  const bool dot_suffix = path.size() >= 2 && path.substr(path.size() - 2) == "/.";
  if (dot_suffix) {
    if (cleaned != "/") cleaned += '/';
    cleaned += '.';
  } else if (!path.empty() && path.back() == '/' && cleaned != "/") {
    cleaned += '/';
  }
  return cleaned;
}

SplitPath go_split(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return {"", std::string(path)};
  return {std::string(path.substr(0, slash + 1)), std::string(path.substr(slash + 1))};
}

std::string go_base(std::string_view path) {
  if (path.empty()) return ".";
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return "/";
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string go_dir(std::string_view path) { return go_clean(go_split(path).dir); }

std::string join_relative(std::string_view parent, std::string_view name) {
  if (parent.empty()) return std::string(name);
  std::string joined(parent);
  joined += '/';
  joined += name;
  return joined;
}

std::string parent_of(std::string_view relative) {
  auto slash = relative.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(relative.substr(0, slash));
}

std::string name_of(std::string_view relative) {
  auto slash = relative.rfind('/');
  return std::string(slash == std::string_view::npos ? relative : relative.substr(slash + 1));
}

std::vector<std::string> components_of(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

sdk::Result<Resolved> resolve_in(const std::filesystem::path& root, std::string_view path, os::FollowFinal follow) {
  auto joined = os::secure_join(root, go_clean("/" + std::string(path)), follow);
  if (!joined) return joined.status();
  // secure_join builds root / component / ..., so what follows the root's text is the path.
  const std::string full = joined->string();
  const std::string base = root.string();
  std::string relative = full.size() > base.size() ? full.substr(base.size()) : std::string();
  while (!relative.empty() && relative.front() == '/') relative.erase(relative.begin());
  return Resolved{std::move(relative)};
}

}  // namespace dbuild::fileop::detail
