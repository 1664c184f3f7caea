// plugin_search_path.cpp: the plugin search order, computed from an explicit environment.
#include "plugin/plugin_search_path.hpp"

#include <cstdlib>
#include <system_error>

namespace dbuild::plugin {
namespace {

std::optional<std::string> environment_variable(const char* name) {
  const char* value = std::getenv(name);
  if (!value) return std::nullopt;
  return std::string(value);
}

}  // namespace

SearchEnvironment SearchEnvironment::current() {
  SearchEnvironment environment;
  std::error_code error;
  auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) environment.executable_dir = executable.parent_path();
  environment.plugin_path = environment_variable("DBUILD_PLUGIN_PATH");
  environment.xdg_data_home = environment_variable("XDG_DATA_HOME");
  environment.home = environment_variable("HOME");
  return environment;
}

std::filesystem::path builtin_plugin_dir(const std::filesystem::path& executable_dir) {
  return (executable_dir / ".." / "lib" / "dbuild" / "plugins").lexically_normal();
}

std::filesystem::path user_plugin_dir(const SearchEnvironment& environment) {
  if (environment.xdg_data_home && !environment.xdg_data_home->empty())
    return std::filesystem::path(*environment.xdg_data_home) / "dbuild" / "plugins";
  if (environment.home && !environment.home->empty())
    return std::filesystem::path(*environment.home) / ".local" / "share" / "dbuild" / "plugins";
  return {};
}

std::vector<std::filesystem::path> plugin_search_path(const SearchEnvironment& environment) {
  std::vector<std::filesystem::path> dirs;
  if (!environment.executable_dir.empty()) dirs.push_back(builtin_plugin_dir(environment.executable_dir));
  if (environment.plugin_path) {
    std::string_view rest = *environment.plugin_path;
    while (!rest.empty()) {
      auto colon = rest.find(':');
      auto entry = rest.substr(0, colon);
      if (!entry.empty()) dirs.emplace_back(entry);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  if (auto user = user_plugin_dir(environment); !user.empty()) dirs.push_back(user);
  return dirs;
}

}  // namespace dbuild::plugin
