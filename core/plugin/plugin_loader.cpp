// plugin_loader.cpp: file checks, Boost.DLL loading and descriptor lookup.
#include "plugin/plugin_loader.hpp"

#include "plugin/builtin_plugins.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <system_error>

#include <boost/dll/shared_library.hpp>
#include <fmt/format.h>

#include <dbuild/sdk/plugin.hpp>

namespace dbuild::plugin {
namespace {

namespace fs = std::filesystem;

// Checked before dlopen: dlopen's own messages for these ("file too short", "invalid ELF
// header") are accurate but cryptic.
std::string precheck(const fs::path& file) {
  std::error_code error;
  auto size = fs::file_size(file, error);
  if (error) return fmt::format("cannot read: {}", error.message());
  if (size == 0) return "empty file";
  std::ifstream in(file, std::ios::binary);
  std::array<char, 4> magic{};
  if (!in.read(magic.data(), magic.size())) return "not an ELF file (shorter than an ELF header)";
  if (magic != std::array<char, 4>{'\x7f', 'E', 'L', 'F'}) return "not an ELF file";
  return {};
}

bool is_plugin_file(const fs::directory_entry& entry) {
  std::error_code error;
  return entry.path().extension() == ".so" && entry.is_regular_file(error);
}

}  // namespace

void load_plugin_file(const fs::path& file, PluginRegistry& registry) {
  const std::string name = file.string();
  if (auto problem = precheck(file); !problem.empty()) return registry.refuse(name, problem);

  // RTLD_NOW: an unresolved symbol is reported here, not as a crash on first call.
  // RTLD_NODELETE: a plugin's code stays mapped until exit, so late static destructors and
  // thread-local cleanups registered by the plugin never run on unmapped code.
  const auto mode = static_cast<boost::dll::load_mode::type>(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  auto library = std::make_shared<boost::dll::shared_library>();
  std::error_code error;
  library->load(file, mode, error);
  if (error || !library->is_loaded()) {
    const char* detail = dlerror();  // Boost.DLL keeps only a generic code; dlerror has the cause
    return registry.refuse(name, fmt::format("cannot load: {}", detail ? detail : error.message()));
  }
  if (!library->has("dbuild_plugin"))
    return registry.refuse(name, "no dbuild_plugin descriptor: not a dbuild plugin, or built without DBUILD_PLUGIN");
  const auto* descriptor = &library->get_alias<const sdk::PluginDescriptor>("dbuild_plugin");
  registry.add(name, descriptor, std::move(library));
}

void load_plugins(const std::vector<fs::path>& search_path, PluginRegistry& registry) {
  for (const auto& entry : search_path) {
    std::error_code error;
    if (fs::is_regular_file(entry, error)) {
      load_plugin_file(entry, registry);
      continue;
    }
    if (!fs::is_directory(entry, error)) continue;
    std::vector<fs::path> files;
    for (const auto& child : fs::directory_iterator(entry, error))
      if (is_plugin_file(child)) files.push_back(child.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) load_plugin_file(file, registry);
  }
}

void report_missing_builtins(const fs::path& builtin_dir, PluginRegistry& registry) {
  for (const auto& builtin : builtin_plugins()) {
    auto file = builtin_dir / builtin.file;
    std::error_code error;
    if (fs::exists(file, error)) continue;
    registry.refuse(file.string(), fmt::format("built-in {} \"{}\" is missing; reinstall dbuild", builtin.kind,
                                               builtin.name));
  }
}

}  // namespace dbuild::plugin
