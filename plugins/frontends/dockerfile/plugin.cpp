// plugin.cpp: declares the dockerfile frontend; the logic is in dockerfile_frontend.cpp and the
// parser/, instructions/, shell/ and convert/ libraries.
#include <dbuild/sdk/plugin.hpp>

#include "dockerfile_frontend.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Frontend>> make_dockerfile(dbuild::sdk::Host&) {
  return std::make_unique<dbuild::dockerfile::DockerfileFrontend>();
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"filename", dbuild::sdk::OptionType::Path, "Dockerfile", "the Dockerfile, in the dockerfile directory", false},
    {"target", dbuild::sdk::OptionType::String, nullptr, "the stage to build", false},
    {"syntax-strict", dbuild::sdk::OptionType::Bool, "false", "refuse a # syntax= naming an external frontend", false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Frontend, "dockerfile", "Builds Dockerfiles, the whole language, as BuildKit does.",
              make_dockerfile, kOptions);
