// registry_cache_space.hpp: what the registry cache tests share: a cache workspace (machines that
// share nothing but the cache) next to a registry of its own, and skopeo reading what it holds.
#pragma once

#include <string>
#include <vector>

#include "cache_workspace.hpp"
#include "support/test_registry.hpp"

namespace dbuild::test {

/// A cache workspace whose builds see only the test's own client configuration (no logins from
/// the machine's ~/.docker), next to a registry of its own.
struct RegistryCacheSpace {
  CacheWorkspace space;
  TestRegistry registry;

  RegistryCacheSpace();
  /// "127.0.0.1:PORT/REPOSITORY[:TAG]" on this space's registry.
  [[nodiscard]] std::string ref(const std::string& repository) const { return registry.host() + "/" + repository; }
};

/// skopeo's bytes of a reference: its manifest, or with --config its config blob, as stored.
std::string skopeo_raw(const std::string& reference, const std::vector<std::string>& extra = {});

}  // namespace dbuild::test
