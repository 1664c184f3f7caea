// plugin_search_path.hpp: where dbuild looks for plugins, in order: the built-in plugin dir
// next to the binary, then $DBUILD_PLUGIN_PATH, then the user plugin dir.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dbuild::plugin {

/// The parts of the environment the search path depends on, passed in so tests can set them.
struct SearchEnvironment {
  std::filesystem::path executable_dir;      // the directory holding the running dbuild
  std::optional<std::string> plugin_path;    // $DBUILD_PLUGIN_PATH, colon-separated
  std::optional<std::string> xdg_data_home;  // $XDG_DATA_HOME
  std::optional<std::string> home;           // $HOME

  /// Reads the running process: /proc/self/exe and the environment.
  static SearchEnvironment current();
};

/// `<bin>/../lib/dbuild/plugins`: the same relative place in the build tree and after install.
[[nodiscard]] std::filesystem::path builtin_plugin_dir(const std::filesystem::path& executable_dir);

/// `$XDG_DATA_HOME/dbuild/plugins`, or `$HOME/.local/share/dbuild/plugins`; empty when neither
/// variable is set.
[[nodiscard]] std::filesystem::path user_plugin_dir(const SearchEnvironment& environment);

/// The directories (or single .so files, from $DBUILD_PLUGIN_PATH) to load from, in order.
/// Empty entries of $DBUILD_PLUGIN_PATH are ignored; nothing is checked for existence here.
[[nodiscard]] std::vector<std::filesystem::path> plugin_search_path(const SearchEnvironment& environment);

}  // namespace dbuild::plugin
