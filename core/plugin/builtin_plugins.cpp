// builtin_plugins.cpp: the list itself. plugins/CMakeLists.txt builds the same files; the
// integration tests check that every one listed here loads from the build tree.
#include "plugin/builtin_plugins.hpp"

#include <array>

namespace dbuild::plugin {
namespace {

constexpr std::array kBuiltins = {
    BuiltinPlugin{"cache-backend", "inline", "cache-inline.so"},
    BuiltinPlugin{"cache-backend", "local", "cache-local.so"},
    BuiltinPlugin{"cache-backend", "registry", "cache-registry.so"},
    BuiltinPlugin{"driver", "local", "driver-local.so"},
    BuiltinPlugin{"exporter", "docker", "exporter-docker.so"},
    BuiltinPlugin{"exporter", "image", "exporter-image.so"},
    BuiltinPlugin{"exporter", "local", "exporter-local.so"},
    BuiltinPlugin{"exporter", "oci", "exporter-oci.so"},
    BuiltinPlugin{"exporter", "tar", "exporter-tar.so"},
    BuiltinPlugin{"frontend", "definition", "frontend-definition.so"},
    BuiltinPlugin{"frontend", "dockerfile", "frontend-dockerfile.so"},
};

}  // namespace

std::span<const BuiltinPlugin> builtin_plugins() noexcept { return kBuiltins; }

}  // namespace dbuild::plugin
