// good_exporter.cpp: a well-formed test plugin (exporter "test-good"), built twice: once into
// the first test plugin dir, once as a duplicate into the second, to test "first one wins".
#include <dbuild/sdk/plugin.hpp>

namespace {

class GoodExporter final : public dbuild::sdk::Exporter {
 public:
  dbuild::sdk::Status check(const dbuild::sdk::Attributes&) override { return dbuild::sdk::Status::ok(); }
  dbuild::sdk::Result<dbuild::sdk::ExportResponse> export_result(const dbuild::sdk::Attributes&,
                                                                 dbuild::sdk::ExportSource&) override {
    return dbuild::sdk::Status::unimplemented("test exporter");
  }
};

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Exporter>> make_good(dbuild::sdk::Host&) {
  return std::make_unique<GoodExporter>();
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"dest", dbuild::sdk::OptionType::Path, nullptr, "where the output goes", true},
    {"level", dbuild::sdk::OptionType::Integer, "3", "how hard to try", false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Exporter, "test-good", "A plugin that loads.", make_good, kOptions);
