// handmade_descriptor.cpp: a descriptor written by hand, as a plugin from another SDK version
// would carry it. Built several times with TEST_ABI_MAJOR_DELTA, TEST_ABI_MINOR_DELTA and
// TEST_KIND set to make each ABI refusal case.
#include <dbuild/sdk/plugin.hpp>

namespace {

class HandmadeExporter final : public dbuild::sdk::Exporter {
 public:
  dbuild::sdk::Status check(const dbuild::sdk::Attributes&) override { return dbuild::sdk::Status::ok(); }
  dbuild::sdk::Result<dbuild::sdk::ExportResponse> export_result(const dbuild::sdk::Attributes&,
                                                                 dbuild::sdk::ExportSource&) override {
    return dbuild::sdk::Status::unimplemented("test exporter");
  }
};

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Exporter>> make_handmade(dbuild::sdk::Host&) {
  return std::make_unique<HandmadeExporter>();
}

const dbuild::sdk::PluginDescriptor descriptor{
    dbuild::sdk::kAbiMajor + TEST_ABI_MAJOR_DELTA,
    dbuild::sdk::kAbiMinor + TEST_ABI_MINOR_DELTA,
    TEST_KIND,
    TEST_NAME,
    "1.0.0",
    "A descriptor written by hand.",
    nullptr,
    0,
    {nullptr, &make_handmade, nullptr, nullptr},
};

}  // namespace

BOOST_DLL_ALIAS(descriptor, dbuild_plugin)
