// definition_frontend.cpp: reads the file, splits off the image config, parses the Definition.
#include "definition_frontend.hpp"

#include <nlohmann/json.hpp>

#include <dbuild/sdk/definition_json.hpp>

namespace dbuild::frontends {

sdk::Status DefinitionFrontend::check(const sdk::Attributes& options) {
  for (const auto& [key, value] : options) {
    // image-resolve-mode (--pull) is the engine's: it decides where images come from.
    if (key == "filename" || key == "image-resolve-mode" || key.rfind("vcs:", 0) == 0 || key.rfind("build-arg:", 0) == 0 || key.rfind("label:", 0) == 0) continue;
    return sdk::Status::invalid_argument("the definition frontend takes no option \"" + key + "\"");
  }
  return sdk::Status::ok();
}

sdk::Result<sdk::FrontendResult> DefinitionFrontend::build(const sdk::FrontendRequest& request,
                                                           sdk::FrontendContext& context) {
  auto found = request.options.find("filename");
  const std::string filename = found == request.options.end() ? "build.json" : found->second;
  auto text = context.read_file("dockerfile", filename);
  if (!text) return text.status();
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return sdk::Status::invalid_argument(filename + ": not a JSON object");
  std::string image_config;
  if (auto config = doc.find("image_config"); config != doc.end()) {
    if (!config->is_object()) return sdk::Status::invalid_argument(filename + ": image_config must be an object");
    image_config = config->dump();
    doc.erase(config);
  }
  auto definition = sdk::definition_from_json(doc.dump(), filename);
  if (!definition) return definition.status();
  if (!definition->output) return sdk::Status::invalid_argument(filename + ": no \"output\": nothing to build");
  sdk::FrontendResult result;
  for (const auto& platform : request.platforms) result.results.push_back({platform, *definition, image_config});
  return result;
}

}  // namespace dbuild::frontends
