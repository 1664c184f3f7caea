// builtin_plugins.hpp: the one list of plugins that ship with dbuild. Each is built from
// plugins/<kind>/<name>/ into its own .so in the built-in plugin dir; the core never links one.
#pragma once

#include <span>
#include <string_view>

namespace dbuild::plugin {

struct BuiltinPlugin {
  std::string_view kind;  // kind_name()
  std::string_view name;
  std::string_view file;  // the file name in the built-in plugin dir
};

/// Every built-in plugin, in load order.
[[nodiscard]] std::span<const BuiltinPlugin> builtin_plugins() noexcept;

}  // namespace dbuild::plugin
