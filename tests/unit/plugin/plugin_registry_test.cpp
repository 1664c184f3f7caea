// plugin_registry_test.cpp: descriptor checks, factory outcomes and typed lookups of the
// plugin registry, fed descriptors from memory (the loader's file handling has its own tests).
#include <stdexcept>

#include <catch2/catch.hpp>

#include <dbuild/sdk/plugin.hpp>

#include "plugin/plugin_registry.hpp"
#include "support/fake_host.hpp"

namespace {

using dbuild::plugin::PluginEntry;
using dbuild::plugin::PluginRegistry;
using dbuild::plugin::PluginState;
namespace sdk = dbuild::sdk;

class NullExporter final : public sdk::Exporter {
 public:
  sdk::Status check(const sdk::Attributes&) override { return sdk::Status::ok(); }
  sdk::Result<sdk::ExportResponse> export_result(const sdk::Attributes&, sdk::ExportSource&) override {
    return sdk::Status::unimplemented("test exporter");
  }
};

class NullDriver final : public sdk::Driver {
 public:
  sdk::Result<std::unique_ptr<sdk::Engine>> connect(const sdk::DriverConfig&) override {
    return sdk::Status::unavailable("no engine");
  }
};

int exporters_made = 0;

sdk::Result<std::unique_ptr<sdk::Exporter>> make_exporter(sdk::Host&) {
  ++exporters_made;
  return std::make_unique<NullExporter>();
}
sdk::Result<std::unique_ptr<sdk::Driver>> make_driver(sdk::Host&) { return std::make_unique<NullDriver>(); }
sdk::Result<std::unique_ptr<sdk::Exporter>> make_throwing(sdk::Host&) { throw std::runtime_error("boom"); }
sdk::Result<std::unique_ptr<sdk::Exporter>> make_skipping(sdk::Host&) {
  return sdk::skip_plugin("needs a kernel with fuse");
}
sdk::Result<std::unique_ptr<sdk::Exporter>> make_failing(sdk::Host&) {
  return sdk::Status::permission_denied("cannot open /dev/fuse");
}
sdk::Result<std::unique_ptr<sdk::Exporter>> make_null(sdk::Host&) { return std::unique_ptr<sdk::Exporter>(); }

constexpr sdk::OptionSpec kOptions[] = {
    {"dest", sdk::OptionType::Path, nullptr, "where to write", true},
    {"tar", sdk::OptionType::Bool, "true", "write a tarball", false},
};

sdk::PluginDescriptor exporter_descriptor(const char* name, sdk::FactoryFunction<sdk::Exporter> factory = make_exporter) {
  sdk::PluginDescriptor descriptor{};
  descriptor.abi_major = sdk::kAbiMajor;
  descriptor.abi_minor = sdk::kAbiMinor;
  descriptor.kind = static_cast<std::uint32_t>(sdk::Kind::Exporter);
  descriptor.name = name;
  descriptor.version = "1.2.3";
  descriptor.description = "test exporter";
  descriptor.options = kOptions;
  descriptor.option_count = 2;
  descriptor.factory.exporter = factory;
  return descriptor;
}

const PluginEntry& only_entry(const PluginRegistry& registry) {
  REQUIRE(registry.entries().size() == 1);
  return registry.entries().front();
}

}  // namespace

TEST_CASE("registry loads a valid descriptor and finds it by kind and name", "[plugin][registry]") {
  dbuild::test::FakeHost host;
  PluginRegistry registry(host);
  auto descriptor = exporter_descriptor("tar");
  exporters_made = 0;
  registry.add("/plugins/tar.so", &descriptor, nullptr);

  const auto& entry = only_entry(registry);
  CHECK(entry.state == PluginState::Loaded);
  CHECK(entry.kind == "exporter");
  CHECK(entry.name == "tar");
  CHECK(entry.version == "1.2.3");
  CHECK(entry.reason.empty());
  REQUIRE(entry.options.size() == 2);
  CHECK(entry.options[0].name == "dest");
  CHECK(entry.options[0].required);
  CHECK(entry.options[1].default_value == "true");
  CHECK(exporters_made == 1);

  auto found = registry.exporters().find("tar");
  REQUIRE(found);
  CHECK(*found != nullptr);
  CHECK(registry.exporters().names() == std::vector<std::string>{"tar"});

  SECTION("a lookup in another kind's table does not find it") {
    auto missing = registry.drivers().find("tar");
    REQUIRE_FALSE(missing);
    CHECK(missing.status().code() == sdk::Code::NotFound);
    CHECK(missing.status().message() == "no driver plugin named \"tar\" (loaded: none)");
  }
  SECTION("an unknown name is not_found and lists the known ones") {
    auto missing = registry.exporters().find("oci");
    REQUIRE_FALSE(missing);
    CHECK(missing.status().message() == "no exporter plugin named \"oci\" (loaded: tar)");
    CHECK_FALSE(missing.status().hint().empty());
  }
}

TEST_CASE("registry built by the DBUILD_PLUGIN helper carries the SDK's ABI and the kind", "[plugin][registry]") {
  auto descriptor = sdk::detail::make_descriptor<sdk::Kind::Driver>("mine", "9.9", "d", &make_driver,
                                                                  sdk::detail::options_or_none(), false);
  CHECK(descriptor.abi_major == sdk::kAbiMajor);
  CHECK(descriptor.abi_minor == sdk::kAbiMinor);
  CHECK(descriptor.kind == static_cast<std::uint32_t>(sdk::Kind::Driver));
  CHECK(descriptor.factory.driver == &make_driver);
  CHECK(descriptor.factory.exporter == nullptr);
  CHECK(descriptor.options == nullptr);
  CHECK(descriptor.option_count == 0);

  dbuild::test::FakeHost host;
  PluginRegistry registry(host);
  registry.add("mine.so", &descriptor, nullptr);
  CHECK(only_entry(registry).state == PluginState::Loaded);
  CHECK(registry.drivers().find("mine"));
}

TEST_CASE("registry refuses descriptors it cannot trust, naming the reason", "[plugin][registry]") {
  dbuild::test::FakeHost host;
  PluginRegistry registry(host);
  auto descriptor = exporter_descriptor("tar");
  exporters_made = 0;

  SECTION("ABI major differs") {
    descriptor.abi_major = sdk::kAbiMajor + 1;
    registry.add("future.so", &descriptor, nullptr);
    const auto& entry = only_entry(registry);
    CHECK(entry.state == PluginState::Refused);
    CHECK_THAT(entry.reason, Catch::Contains("major differs"));
    CHECK(entry.name.empty());  // nothing past the ABI numbers is read from a foreign ABI
  }
  SECTION("ABI minor newer than the host's") {
    descriptor.abi_minor = sdk::kAbiMinor + 1;
    registry.add("newer.so", &descriptor, nullptr);
    CHECK(only_entry(registry).state == PluginState::Refused);
    CHECK_THAT(only_entry(registry).reason, Catch::Contains("newer than this dbuild's"));
  }
  SECTION("unknown kind") {
    descriptor.kind = 42;
    registry.add("odd.so", &descriptor, nullptr);
    CHECK(only_entry(registry).state == PluginState::Refused);
    CHECK_THAT(only_entry(registry).reason, Catch::StartsWith("unknown plugin kind 42"));
  }
  SECTION("invalid name") {
    descriptor.name = "Bad Name";
    registry.add("bad.so", &descriptor, nullptr);
    CHECK_THAT(only_entry(registry).reason, Catch::StartsWith("invalid plugin name \"Bad Name\""));
  }
  SECTION("null name") {
    descriptor.name = nullptr;
    registry.add("bad.so", &descriptor, nullptr);
    CHECK_THAT(only_entry(registry).reason, Catch::StartsWith("invalid plugin name \"\""));
  }
  SECTION("no factory for its kind") {
    descriptor.factory.exporter = nullptr;
    descriptor.factory.driver = make_driver;
    registry.add("mixed.so", &descriptor, nullptr);
    CHECK(only_entry(registry).reason == "factory failed: descriptor has no factory for its kind");
  }
  SECTION("null descriptor") {
    registry.add("null.so", nullptr, nullptr);
    CHECK(only_entry(registry).reason == "the dbuild_plugin symbol points at nothing");
  }
  CHECK(exporters_made == 0);
  CHECK_FALSE(registry.exporters().find("tar"));
}

TEST_CASE("registry keeps the first plugin of a name and says who has it", "[plugin][registry]") {
  dbuild::test::FakeHost host;
  PluginRegistry registry(host);
  auto first = exporter_descriptor("tar");
  auto second = exporter_descriptor("tar");
  registry.add("/a/tar.so", &first, nullptr);
  registry.add("/b/tar.so", &second, nullptr);

  REQUIRE(registry.entries().size() == 2);
  CHECK(registry.entries()[0].state == PluginState::Loaded);
  CHECK(registry.entries()[1].state == PluginState::Refused);
  CHECK(registry.entries()[1].reason == "exporter \"tar\" is already provided by /a/tar.so (the first one wins)");

  SECTION("the same name in another kind is no conflict") {
    auto driver = sdk::detail::make_descriptor<sdk::Kind::Driver>("tar", "1", "d", &make_driver,
                                                                 sdk::detail::options_or_none(), false);
    registry.add("/c/tar-driver.so", &driver, nullptr);
    CHECK(registry.entries()[2].state == PluginState::Loaded);
  }
  SECTION("a refused plugin does not hold its name") {
    PluginRegistry fresh(host);
    auto broken = exporter_descriptor("oci", make_throwing);
    auto good = exporter_descriptor("oci");
    fresh.add("/a/oci.so", &broken, nullptr);
    fresh.add("/b/oci.so", &good, nullptr);
    CHECK(fresh.entries()[1].state == PluginState::Loaded);
  }
}

TEST_CASE("registry records what a factory answered", "[plugin][registry]") {
  dbuild::test::FakeHost host;
  PluginRegistry registry(host);

  SECTION("a factory that throws is refused, not fatal") {
    auto descriptor = exporter_descriptor("tar", make_throwing);
    registry.add("throws.so", &descriptor, nullptr);
    CHECK(only_entry(registry).state == PluginState::Refused);
    CHECK(only_entry(registry).reason == "factory threw an exception: boom");
  }
  SECTION("unimplemented means skipped: not supported here") {
    auto descriptor = exporter_descriptor("tar", make_skipping);
    registry.add("skips.so", &descriptor, nullptr);
    CHECK(only_entry(registry).state == PluginState::Skipped);
    CHECK(only_entry(registry).reason == "needs a kernel with fuse");
  }
  SECTION("another error refuses it with the factory's message") {
    auto descriptor = exporter_descriptor("tar", make_failing);
    registry.add("fails.so", &descriptor, nullptr);
    CHECK(only_entry(registry).state == PluginState::Refused);
    CHECK(only_entry(registry).reason == "factory failed: cannot open /dev/fuse");
  }
  SECTION("no object is refused") {
    auto descriptor = exporter_descriptor("tar", make_null);
    registry.add("null.so", &descriptor, nullptr);
    CHECK(only_entry(registry).reason == "factory returned no object");
  }
  CHECK_FALSE(registry.exporters().find("tar"));
}

TEST_CASE("registry keeps a plugin's library alive until its objects are gone", "[plugin][registry]") {
  auto library = std::make_shared<int>(7);
  std::weak_ptr<int> watch = library;
  {
    dbuild::test::FakeHost host;
    PluginRegistry registry(host);
    auto descriptor = exporter_descriptor("tar");
    registry.add("tar.so", &descriptor, std::move(library));
    CHECK_FALSE(watch.expired());
  }
  CHECK(watch.expired());
}

TEST_CASE("refuse records a file that is no plugin at all", "[plugin][registry]") {
  dbuild::test::FakeHost host;
  PluginRegistry registry(host);
  registry.refuse("/x/notes.so", "not an ELF file");
  const auto& entry = only_entry(registry);
  CHECK(entry.state == PluginState::Refused);
  CHECK(entry.file == "/x/notes.so");
  CHECK(entry.kind.empty());
  CHECK(dbuild::plugin::state_name(entry.state) == "refused");
}
