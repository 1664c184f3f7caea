// runtime.cpp: runtime detection.
#include "executor/runtime.hpp"

#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string_view>

#include "os/subprocess.hpp"

namespace dbuild::executor {
namespace {

constexpr long kCgroup2Magic = 0x63677270;

bool unified_cgroups() {
  struct statfs info;
  return ::statfs("/sys/fs/cgroup", &info) == 0 && info.f_type == kCgroup2Magic;
}

std::optional<RuntimeInfo> probe(const std::string& name) {
  if (!os::find_program(name)) return std::nullopt;
  RuntimeInfo info;
  info.name = name;
  if (std::filesystem::path(name).filename() == "crun" && !unified_cgroups()) info.global_args.push_back("--cgroup-manager=disabled");
  return info;
}

constexpr long kTmpfsMagic = 0x01021994;

bool on_tmpfs(const std::filesystem::path& path) {
  struct statfs info;
  return ::statfs(path.c_str(), &info) == 0 && info.f_type == kTmpfsMagic;
}

// `path` made (0700) or found as a directory of ours that no one else can enter.
bool own_directory(const std::filesystem::path& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return false;
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode) && info.st_uid == ::geteuid() &&
         (info.st_mode & 077) == 0;
}

std::string fnv1a_hex(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ULL;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

}  // namespace

std::filesystem::path runtime_run_dir(const std::filesystem::path& state_root) {
  std::vector<std::filesystem::path> bases;
  if (::geteuid() == 0 && on_tmpfs("/run")) bases.emplace_back("/run/dbuild");
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime && on_tmpfs(runtime))
    bases.push_back(std::filesystem::path(runtime) / "dbuild");
  if (on_tmpfs("/dev/shm")) bases.push_back("/dev/shm/dbuild-" + std::to_string(::geteuid()));
  std::error_code ignored;
  auto root = std::filesystem::weakly_canonical(std::filesystem::absolute(state_root), ignored);
  if (root.empty()) root = std::filesystem::absolute(state_root).lexically_normal();
  if (!root.has_filename() && root.has_parent_path()) root = root.parent_path();  // "/var/lib/x/"
  // The choice is kept in the state root, so that a process started with another environment
  // (no $XDG_RUNTIME_DIR, another user's sudo) finds the containers a dead session left.
  const auto chosen_file = root / "run-dir";
  {
    std::ifstream in(chosen_file);
    std::string recorded;
    if (in && std::getline(in, recorded) && !recorded.empty() && recorded.front() == '/' &&
        own_directory(recorded))
      return recorded;
  }
  const std::string key = fnv1a_hex(root.string());
  for (const auto& base : bases)
    if (own_directory(base) && own_directory(base / key)) {
      std::ofstream(chosen_file, std::ios::trunc) << (base / key).string() << "\n";
      return base / key;
    }
  return state_root / "run";
}

std::string RuntimeInfo::describe() const {
  std::string version = "(version unknown)";
  if (auto result = os::run_subprocess({name, "--version"}); result && result->exit_code == 0) {
    std::smatch match;
    if (std::regex_search(result->out, match, std::regex("version ([^\\s]+)"))) version = match[1];
  } else {
    version = "(does not answer --version)";
  }
  std::string text = name + " " + version;
  for (const auto& arg : global_args) text += " (" + arg + ")";
  return text;
}

sdk::Result<RuntimeInfo> detect_runtime() {
  std::vector<std::string> candidates = {"runc", "crun"};
  if (const char* wanted = std::getenv("DBUILD_RUNTIME"); wanted && *wanted) candidates = {wanted};
  for (const auto& name : candidates)
    if (auto info = probe(name)) return *info;
  return sdk::Status::failed_precondition("no OCI runtime found (tried " + candidates.front() +
                                          (candidates.size() > 1 ? ", " + candidates.back() : "") + ")")
      .with_hint("install runc (apt-get install runc) or crun");
}

}  // namespace dbuild::executor
