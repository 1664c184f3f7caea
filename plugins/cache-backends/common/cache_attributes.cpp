// cache_attributes.cpp: the shared cache backend attributes (cache_attributes.hpp).
#include "cache_attributes.hpp"

#include <string>

#include <dbuild/sdk/attributes.hpp>

namespace dbuild::cache_backends {

sdk::Result<sdk::CacheLayoutOptions> layout_options(const sdk::Attributes& attributes) {
  sdk::CacheLayoutOptions options;
  if (auto mode = attributes.find("mode"); mode != attributes.end()) {
    if (mode->second == "max") options.mode = sdk::CacheMode::Max;
    else if (mode->second != "min") return sdk::Status::invalid_argument("mode=" + mode->second + ": want min or max");
  }
  auto layers = sdk::image_options(attributes, true);
  if (!layers) return layers.status();
  options.layers = *layers;
  auto image_manifest = sdk::bool_attribute(attributes, "image-manifest", true);
  if (!image_manifest) return image_manifest.status();
  options.image_manifest = *image_manifest;
  if (options.image_manifest && !options.layers.oci_mediatypes)
    return sdk::Status::invalid_argument("image-manifest=true needs oci-mediatypes=true");
  return options;
}

sdk::Status check_keys(const sdk::Attributes& attributes, const char* backend, std::initializer_list<const char*> keys,
                       std::initializer_list<const char*> more) {
  for (const auto& [key, value] : attributes) {
    bool known = false;
    for (const auto* list : {&keys, &more})
      for (const char* name : *list) known = known || key == name;
    if (!known) return sdk::Status::invalid_argument("unknown attribute \"" + key + "\" for the " + backend + " cache");
  }
  return sdk::Status::ok();
}

sdk::Status require(const sdk::Attributes& attributes, const char* key) {
  auto found = attributes.find(key);
  if (found == attributes.end() || found->second.empty())
    return sdk::Status::invalid_argument(std::string(key) + "= is required");
  return sdk::Status::ok();
}

}  // namespace dbuild::cache_backends
