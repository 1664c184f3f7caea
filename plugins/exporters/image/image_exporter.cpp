// image_exporter.cpp: storing the result under its names and pushing it (see image_exporter.hpp).
#include "image_exporter.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "../common/annotations.hpp"
#include "../common/export_metadata.hpp"
#include "../common/image_layout.hpp"

namespace dbuild::exporters {
namespace {

using json = nlohmann::json;

const std::set<std::string> kKeys = {"name",        "store",       "push",
                                     "push-by-digest", "compression", "compression-level",
                                     "force-compression", "oci-mediatypes"};

struct Settings {
  std::vector<std::string> names;  // normalised
  bool store = true;
  bool push = false;
  bool push_by_digest = false;
  sdk::ImageOptions options;
};

sdk::Result<Settings> read_settings(const sdk::Attributes& attributes, sdk::Registry& registry) {
  for (const auto& [key, value] : attributes) {
    if (key == "registry.insecure")
      return sdk::Status::invalid_argument("registry.insecure is not an image exporter attribute here")
          .with_hint("localhost and 127.0.0.0/8 are reached without TLS checks; list other registries under "
                     "\"insecure-registries\" in dbuild's config.json");
    if (!kKeys.count(key) && !is_annotation_attribute(key))
      return sdk::Status::invalid_argument("unknown attribute \"" + key + "\" for the image exporter");
  }
  Settings settings;
  auto options = sdk::image_options(attributes, false);
  if (!options) return options.status();
  settings.options = *options;
  if (auto annotations = parse_annotations(attributes); !annotations) return annotations.status();
  for (auto [name, flag] : {std::pair{"store", &settings.store}, std::pair{"push", &settings.push},
                            std::pair{"push-by-digest", &settings.push_by_digest}}) {
    auto value = sdk::bool_attribute(attributes, name, *flag);
    if (!value) return value.status();
    *flag = *value;
  }
  for (const auto& name : image_names(attributes)) {
    auto normalised = registry.normalize(name);
    if (!normalised) return normalised.status().with_context("name " + name);
    if (normalised->find('@') != std::string::npos)
      return sdk::Status::invalid_argument("name " + name + ": an image name cannot hold a digest");
    settings.names.push_back(*normalised);
  }
  if (settings.push && settings.names.empty())
    return sdk::Status::invalid_argument("push=true needs a name to push to (-t NAME or name=NAME)");
  return settings;
}

// "docker.io/team/app:1" -> "docker.io/team/app".
std::string repository_of(const std::string& name) {
  const auto colon = name.rfind(':');
  if (colon != std::string::npos && name.find('/', colon) == std::string::npos) return name.substr(0, colon);
  return name;
}

json platform_json(const sdk::Platform& platform) {
  json out = {{"architecture", platform.architecture}, {"os", platform.os}};
  if (!platform.variant.empty()) out["variant"] = platform.variant;
  return out;
}

// The descriptor to push: the manifest of a single-platform build, else an index of them all.
sdk::Result<sdk::Descriptor> push_root(const std::vector<LayoutImage>& images, const sdk::Attributes& attributes,
                                       const sdk::ImageOptions& options, sdk::ContentStore& content) {
  if (images.size() == 1) return images.front().image.manifest;
  auto annotations = parse_annotations(attributes);
  if (!annotations) return annotations.status();
  const char* media_type = options.oci_mediatypes ? sdk::media_type::kOciIndex : sdk::media_type::kDockerManifestList;
  json index = {{"schemaVersion", 2}, {"mediaType", media_type}, {"manifests", json::array()}};
  for (const auto& entry : images) {
    json manifest = {{"mediaType", entry.image.manifest.media_type},
                     {"digest", entry.image.manifest.digest.str()},
                     {"size", entry.image.manifest.size},
                     {"platform", platform_json(entry.image.platform)}};
    for (const auto& [key, value] : entry.descriptor_annotations) manifest["annotations"][key] = value;
    index["manifests"].push_back(manifest);
  }
  for (const auto& [key, value] : annotations->of(Annotations::Target::Index)) index["annotations"][key] = value;
  const std::string text = index.dump();
  auto digest = content.write(text);
  if (!digest) return digest.status();
  return sdk::Descriptor{media_type, *digest, static_cast<std::int64_t>(text.size()), {}, {}};
}


void emit_status(sdk::ExportSource& source, std::string id) {
  sdk::ProgressEvent event;
  event.type = sdk::ProgressType::Status;
  event.id = std::move(id);
  source.progress().emit(event);
}

}  // namespace

sdk::Status ImageExporter::check(const sdk::Attributes& attributes) {
  auto settings = read_settings(attributes, registry_);
  return settings ? sdk::Status::ok() : settings.status();
}

sdk::Result<sdk::ExportResponse> ImageExporter::export_result(const sdk::Attributes& attributes,
                                                              sdk::ExportSource& source) {
  auto settings = read_settings(attributes, registry_);
  if (!settings) return settings.status();
  const auto platforms = source.platforms();
  if (platforms.empty()) return sdk::Status::invalid_argument("the build produced no image");

  std::vector<LayoutImage> stored;
  if (settings->store && !settings->names.empty()) {
    if (platforms.size() > 1)
      return sdk::Status::unimplemented("the local image store holds one platform per name")
          .with_hint("push a multi-platform image (--push) or export it (-o type=oci,dest=FILE)");
    for (const auto& name : settings->names) {
      auto image = source.store_image(name, platforms.front());
      if (!image) return image.status().with_context("naming " + name);
      if (stored.empty()) stored.push_back({*image, settings->names, {}});
    }
  }
  if (!settings->push) {
    if (!stored.empty()) return export_metadata(stored);
    auto images = layout_images(attributes, settings->options, settings->names, source);
    if (!images) return images.status();
    return export_metadata(*images);
  }

  auto images = layout_images(attributes, settings->options, settings->names, source);
  if (!images) return images.status();
  auto root = push_root(*images, attributes, settings->options, source.content());
  if (!root) return root.status();
  const auto hooks = sdk::push_progress_hooks(source.progress(), source.stop());
  for (const auto& name : settings->names) {
    const std::string target = settings->push_by_digest ? repository_of(name) + "@" + root->digest.str() : name;
    emit_status(source, "pushing " + target);
    auto pushed = registry_.push_image(target, *root, source.content(), hooks);
    if (!pushed) return pushed.status();  // the registry's errors name the reference
    emit_status(source, "pushed manifest for " + repository_of(name) + "@" + root->digest.str());
  }
  auto response = export_metadata(*images);
  response.metadata["containerimage.digest"] = root->digest.str();
  json descriptor = {{"mediaType", root->media_type}, {"digest", root->digest.str()}, {"size", root->size}};
  response.metadata["containerimage.descriptor"] = descriptor.dump();
  return response;
}

}  // namespace dbuild::exporters
