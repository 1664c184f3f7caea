// plugin.cpp: names of plugin kinds, shared by the host and plugins.
#include <dbuild/sdk/plugin.hpp>

namespace dbuild::sdk {

const char* kind_name(std::uint32_t kind) noexcept {
  switch (static_cast<Kind>(kind)) {
    case Kind::Driver: return "driver";
    case Kind::Exporter: return "exporter";
    case Kind::CacheBackend: return "cache-backend";
    case Kind::Frontend: return "frontend";
  }
  return "unknown";
}

}  // namespace dbuild::sdk
