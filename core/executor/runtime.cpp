// runtime.cpp: runtime detection.
#include "executor/runtime.hpp"

#include <sys/statfs.h>

#include <cstdlib>
#include <regex>

#include "os/subprocess.hpp"

namespace dbuild::executor {
namespace {

constexpr long kCgroup2Magic = 0x63677270;

bool unified_cgroups() {
  struct statfs info;
  return ::statfs("/sys/fs/cgroup", &info) == 0 && info.f_type == kCgroup2Magic;
}

std::optional<RuntimeInfo> probe(const std::string& name) {
  auto result = os::run_subprocess({name, "--version"});
  if (!result || result->exit_code != 0) return std::nullopt;
  RuntimeInfo info;
  info.name = name;
  std::smatch match;
  if (std::regex_search(result->out, match, std::regex(name + " version ([^\\s]+)"))) info.version = match[1];
  if (name == "crun" && !unified_cgroups()) info.global_args.push_back("--cgroup-manager=disabled");
  return info;
}

}  // namespace

std::string RuntimeInfo::describe() const {
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
