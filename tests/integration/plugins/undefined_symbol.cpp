// undefined_symbol.cpp: a plugin linked against a symbol nothing defines, so dlopen fails with
// "undefined symbol"; the host must say so and carry on.
#include <dbuild/sdk/plugin.hpp>

extern "C" int dbuild_test_symbol_nobody_defines();

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Exporter>> make_broken(dbuild::sdk::Host&) {
  if (dbuild_test_symbol_nobody_defines() == 0) return dbuild::sdk::Status::internal("unreachable");
  return dbuild::sdk::Status::internal("unreachable");
}

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Exporter, "test-undefined", "A plugin with an unresolved symbol.", make_broken);
