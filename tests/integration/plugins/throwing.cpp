// throwing.cpp: a test plugin whose factory throws; the host must refuse it and carry on.
#include <stdexcept>

#include <dbuild/sdk/plugin.hpp>

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Exporter>> make_throwing(dbuild::sdk::Host&) {
  throw std::runtime_error("the vendor's factory gave up");
}

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Exporter, "test-throws", "A plugin whose factory throws.", make_throwing);
