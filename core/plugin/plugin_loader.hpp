// plugin_loader.hpp: turns plugin files into registry entries. It checks each file before
// dlopen (empty, not ELF), loads it with Boost.DLL, finds the `dbuild_plugin` alias and hands
// the descriptor to the registry. A bad file is recorded and skipped; loading goes on.
#pragma once

#include <filesystem>
#include <vector>

#include "plugin/plugin_registry.hpp"

namespace dbuild::plugin {

/// Loads every `*.so` in each entry of `search_path`, in order; within a directory, files load
/// in name order so that "first one wins" is predictable. An entry that is a file is loaded
/// itself; a missing directory is ignored.
void load_plugins(const std::vector<std::filesystem::path>& search_path, PluginRegistry& registry);

/// Records, as refused, every built-in plugin (builtin_plugins()) that `builtin_dir` lacks, so
/// that a broken installation says what is missing instead of failing later with "no driver".
void report_missing_builtins(const std::filesystem::path& builtin_dir, PluginRegistry& registry);

/// Loads one file into `registry`.
void load_plugin_file(const std::filesystem::path& file, PluginRegistry& registry);

}  // namespace dbuild::plugin
