// image_layout.cpp: attributes, and the layout files themselves (the writers: layout_writers.cpp).
#include "image_layout.hpp"

#include "annotations.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

namespace dbuild::exporters {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string blob_path(const sdk::Digest& digest) { return "blobs/" + digest.algorithm() + "/" + digest.encoded(); }

// "docker.io/library/app:1" -> "app:1", as `docker images` shows and `docker save` writes.
std::string familiar(const std::string& name) {
  for (const std::string prefix : {"docker.io/library/", "docker.io/"})
    if (name.rfind(prefix, 0) == 0) return name.substr(prefix.size());
  return name;
}

std::string tag_of(const std::string& name) {
  auto colon = name.rfind(':');
  auto slash = name.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "latest";
  return name.substr(colon + 1);
}

json descriptor_json(const sdk::Descriptor& descriptor) {
  json out = {{"mediaType", descriptor.media_type}, {"digest", descriptor.digest.str()}, {"size", descriptor.size}};
  if (descriptor.platform) {
    json platform = {{"os", descriptor.platform->os}, {"architecture", descriptor.platform->architecture}};
    if (!descriptor.platform->variant.empty()) platform["variant"] = descriptor.platform->variant;
    out["platform"] = platform;
  }
  return out;
}

}  // namespace

std::vector<std::string> image_names(const sdk::Attributes& attributes) {
  std::vector<std::string> names;
  auto found = attributes.find("name");
  if (found == attributes.end()) return names;
  std::size_t start = 0;
  while (start <= found->second.size()) {
    auto comma = found->second.find(',', start);
    auto name = found->second.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!name.empty()) names.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

sdk::Status check_file_dest(const std::string& dest) {
  if (dest == "-") {
    if (::isatty(1)) return sdk::Status::invalid_argument("dest=-: refusing to write a tarball to a terminal");
    return sdk::Status::ok();
  }
  const fs::path path = fs::absolute(dest);
  std::error_code error;
  if (fs::is_directory(path, error)) return sdk::Status::invalid_argument("dest " + path.string() + " is a directory");
  if (!fs::is_directory(path.parent_path(), error))
    return sdk::Status::invalid_argument("dest " + path.string() + ": directory " + path.parent_path().string() +
                                         " does not exist");
  if (::access(path.parent_path().c_str(), W_OK) != 0)
    return sdk::Status::permission_denied("dest " + path.string() + ": " + path.parent_path().string() + " is not writable");
  return sdk::Status::ok();
}

sdk::Result<std::vector<LayoutImage>> layout_images(const sdk::Attributes& attributes, const sdk::ImageOptions& options,
                                                    const std::vector<std::string>& names, sdk::ExportSource& source,
                                                    sdk::LayerSink* sink) {
  auto annotations = parse_annotations(attributes);
  if (!annotations) return annotations.status();
  std::vector<LayoutImage> images;
  for (const auto& platform : source.platforms()) {
    auto image = sink ? source.image_into(platform, options, *sink) : source.image(platform, options);
    if (!image) return image.status();
    auto annotated = annotate_manifest(std::move(*image), annotations->of(Annotations::Target::Manifest, platform),
                                       source.content());
    if (!annotated) return annotated.status();
    images.push_back({std::move(*annotated), names,
                      annotations->of(Annotations::Target::ManifestDescriptor, platform)});
  }
  return images;
}

sdk::Status write_layout(LayoutWriter& writer, const std::vector<LayoutImage>& images, sdk::ContentStore& content,
                         bool docker_manifest) {
  auto add_blob = [&](const sdk::Descriptor& descriptor) -> sdk::Status {
    if (writer.written_blob(blob_path(descriptor.digest))) return sdk::Status::ok();
    auto path = content.path(descriptor.digest);
    if (!path) return path.status();
    return writer.add_file(blob_path(descriptor.digest), *path, descriptor.size);
  };
  json manifests = json::array();
  json docker = json::array();
  for (const auto& [image, names, descriptor_annotations] : images) {
    for (const auto& layer : image.layers)
      if (auto status = add_blob(layer); !status) return status;
    if (auto status = add_blob(image.config); !status) return status;
    if (auto status = add_blob(image.manifest); !status) return status;
    json plain = descriptor_json(image.manifest);
    for (const auto& [key, value] : descriptor_annotations) plain["annotations"][key] = value;
    if (names.empty()) manifests.push_back(plain);
    for (const auto& name : names) {
      json entry = plain;
      entry["annotations"]["io.containerd.image.name"] = name;
      entry["annotations"]["org.opencontainers.image.ref.name"] = tag_of(name);
      manifests.push_back(entry);
    }
    json layers = json::array();
    for (const auto& layer : image.layers) layers.push_back(blob_path(layer.digest));
    json tags = json::array();
    for (const auto& name : names) tags.push_back(familiar(name));
    docker.push_back({{"Config", blob_path(image.config.digest)}, {"RepoTags", tags}, {"Layers", layers}});
  }
  json index = {{"schemaVersion", 2}, {"mediaType", sdk::media_type::kOciIndex}, {"manifests", manifests}};
  if (auto status = writer.add_text("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"); !status) return status;
  if (auto status = writer.add_text("index.json", index.dump()); !status) return status;
  if (docker_manifest)
    if (auto status = writer.add_text("manifest.json", docker.dump()); !status) return status;
  return writer.finish();
}

}  // namespace dbuild::exporters
