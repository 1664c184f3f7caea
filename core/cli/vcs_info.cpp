// vcs_info.cpp: reading HEAD, refs, packed-refs and the origin URL from .git (see vcs_info.hpp).
#include "cli/vcs_info.hpp"

#include <fstream>
#include <sstream>

namespace dbuild::cli {
namespace {

namespace fs = std::filesystem;

std::string first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// The .git directory of the working tree holding `dir` (a worktree's .git file points at it).
fs::path git_dir_of(fs::path dir) {
  std::error_code error;
  dir = fs::weakly_canonical(dir, error);
  for (; !dir.empty(); dir = dir.parent_path()) {
    const fs::path dot_git = dir / ".git";
    if (fs::is_directory(dot_git, error)) return dot_git;
    if (fs::is_regular_file(dot_git, error)) {
      const std::string line = first_line(dot_git);
      if (line.rfind("gitdir: ", 0) == 0) {
        fs::path target = line.substr(8);
        return target.is_absolute() ? target : dir / target;
      }
    }
    if (dir == dir.root_path()) break;
  }
  return {};
}

// Where refs live: a worktree's git dir names the shared one in "commondir".
fs::path common_dir_of(const fs::path& git_dir) {
  const std::string common = first_line(git_dir / "commondir");
  if (common.empty()) return git_dir;
  fs::path path = common;
  return path.is_absolute() ? path : git_dir / path;
}

std::string resolve_ref(const fs::path& git_dir, const fs::path& common, const std::string& ref) {
  for (const auto& base : {git_dir, common}) {
    const std::string loose = first_line(base / ref);
    if (loose.size() >= 40) return loose.substr(0, 40);
  }
  std::ifstream packed(common / "packed-refs");
  for (std::string line; std::getline(packed, line);) {
    if (line.empty() || line[0] == '#' || line[0] == '^') continue;
    const auto space = line.find(' ');
    if (space == 40 && line.substr(41) == ref) return line.substr(0, 40);
  }
  return "";
}

// `url = ...` of [remote "origin"] in the config.
std::string origin_url(const fs::path& common) {
  std::ifstream in(common / "config");
  bool in_origin = false;
  for (std::string line; std::getline(in, line);) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line = line.substr(start);
    if (line[0] == '[') {
      in_origin = line.rfind("[remote \"origin\"]", 0) == 0;
      continue;
    }
    if (!in_origin || line.rfind("url", 0) != 0) continue;
    const auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    std::string url = line.substr(equals + 1);
    url.erase(0, url.find_first_not_of(" \t"));
    // https://user:token@host/x -> https://host/x: credentials are never recorded.
    if (auto scheme = url.find("://"); scheme != std::string::npos) {
      auto at = url.find('@', scheme + 3);
      auto slash = url.find('/', scheme + 3);
      if (at != std::string::npos && (slash == std::string::npos || at < slash)) url.erase(scheme + 3, at - scheme - 2);
    }
    return url;
  }
  return "";
}

}  // namespace

VcsInfo read_vcs_info(const fs::path& dir) {
  VcsInfo info;
  const fs::path git_dir = git_dir_of(dir);
  if (git_dir.empty()) return info;
  const fs::path common = common_dir_of(git_dir);
  const std::string head = first_line(git_dir / "HEAD");
  if (head.rfind("ref: ", 0) == 0) info.revision = resolve_ref(git_dir, common, head.substr(5));
  else if (head.size() >= 40) info.revision = head.substr(0, 40);
  info.source = origin_url(common);
  return info;
}

}  // namespace dbuild::cli
