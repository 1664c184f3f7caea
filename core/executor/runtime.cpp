// runtime.cpp: runtime detection.
#include "executor/runtime.hpp"

#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cstdlib>
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

// `name` as the shell would find it: a path when it has a slash, else each directory of $PATH.
bool executable_on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (true) {
    const auto colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    struct stat info {};
    if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return true;
    if (colon == std::string_view::npos) return false;
    dirs.remove_prefix(colon + 1);
  }
}

std::optional<RuntimeInfo> probe(const std::string& name) {
  if (!executable_on_path(name)) return std::nullopt;
  RuntimeInfo info;
  info.name = name;
  if (name == "crun" && !unified_cgroups()) info.global_args.push_back("--cgroup-manager=disabled");
  return info;
}

}  // namespace

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
