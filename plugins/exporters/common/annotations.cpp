// annotations.cpp: reading annotation attributes and writing them into manifests.
#include "annotations.hpp"

#include <nlohmann/json.hpp>

namespace dbuild::exporters {
namespace {

struct Prefix {
  const char* text;
  Annotations::Target target;
};
// Longest first: "annotation-manifest-descriptor" before "annotation-manifest".
constexpr Prefix kPrefixes[] = {
    {"annotation-manifest-descriptor", Annotations::Target::ManifestDescriptor},
    {"annotation-index-descriptor", Annotations::Target::IndexDescriptor},
    {"annotation-manifest", Annotations::Target::Manifest},
    {"annotation-index", Annotations::Target::Index},
    {"annotation", Annotations::Target::Manifest},
};

}  // namespace

bool is_annotation_attribute(const std::string& key) { return key.rfind("annotation", 0) == 0; }

std::map<std::string, std::string> Annotations::of(Target target, const sdk::Platform& platform) const {
  std::map<std::string, std::string> out;
  const bool per_platform = target == Target::Manifest || target == Target::ManifestDescriptor;
  for (const auto& entry : entries)
    if (entry.target == target && (!per_platform || !entry.platform || *entry.platform == platform))
      out[entry.key] = entry.value;
  return out;
}

sdk::Result<Annotations> parse_annotations(const sdk::Attributes& attributes) {
  Annotations annotations;
  for (const auto& [key, value] : attributes) {
    if (!is_annotation_attribute(key)) continue;
    const auto dot = key.find('.');
    if (dot == std::string::npos)
      return sdk::Status::invalid_argument(key + ": want annotation.KEY=VALUE (or annotation-TYPE.KEY=VALUE)");
    std::string type = key.substr(0, dot);
    Annotations::Entry entry;
    entry.key = key.substr(dot + 1);
    entry.value = value;
    if (auto open = type.find('['); open != std::string::npos) {
      if (type.back() != ']') return sdk::Status::invalid_argument(key + ": unclosed platform selector");
      auto platform = sdk::Platform::parse(type.substr(open + 1, type.size() - open - 2));
      if (!platform) return platform.status().with_context(key);
      entry.platform = *platform;
      type.erase(open);
    }
    bool known = false;
    for (const auto& prefix : kPrefixes)
      if (type == prefix.text) {
        entry.target = prefix.target;
        known = true;
        break;
      }
    if (!known)
      return sdk::Status::invalid_argument(
          key + ": unknown annotation type \"" + type +
          "\" (want annotation, annotation-manifest, annotation-manifest-descriptor, annotation-index or "
          "annotation-index-descriptor)");
    if (entry.key.empty()) return sdk::Status::invalid_argument(key + ": the annotation has no key");
    annotations.entries.push_back(std::move(entry));
  }
  return annotations;
}

sdk::Result<sdk::ExportImage> annotate_manifest(sdk::ExportImage image,
                                                const std::map<std::string, std::string>& annotations,
                                                sdk::ContentStore& content) {
  if (annotations.empty()) return image;
  auto manifest = nlohmann::json::parse(image.manifest_json, nullptr, false);
  if (!manifest.is_object()) return sdk::Status::internal("the image's manifest is not a JSON object");
  for (const auto& [key, value] : annotations) manifest["annotations"][key] = value;
  image.manifest_json = manifest.dump();
  auto digest = content.write(image.manifest_json);
  if (!digest) return digest.status();
  image.manifest.digest = *digest;
  image.manifest.size = static_cast<std::int64_t>(image.manifest_json.size());
  return image;
}

}  // namespace dbuild::exporters
