// plugin.cpp: declares the definition frontend; the logic is in definition_frontend.cpp.
#include <dbuild/sdk/plugin.hpp>

#include "definition_frontend.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Frontend>> make_definition(dbuild::sdk::Host&) {
  return std::make_unique<dbuild::frontends::DefinitionFrontend>();
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"filename", dbuild::sdk::OptionType::Path, "build.json", "the Definition file, in the dockerfile directory", false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Frontend, "definition", "Builds a Definition written as JSON (like buildctl's LLB).",
              make_definition, kOptions);
