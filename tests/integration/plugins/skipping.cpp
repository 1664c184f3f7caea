// skipping.cpp: a test plugin whose factory says "not supported here": listed as skipped.
#include <dbuild/sdk/plugin.hpp>

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Frontend>> make_skipping(dbuild::sdk::Host&) {
  return dbuild::sdk::skip_plugin("needs a feature this machine lacks");
}

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Frontend, "test-skips", "A plugin that declines to load here.", make_skipping);
