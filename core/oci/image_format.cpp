// image_format.cpp: JSON for descriptors, manifests and indexes; chain ids; platform choice.
#include "oci/image_format.hpp"

#include <nlohmann/json.hpp>

#include "oci/sha256.hpp"
#include "oci/strict_json.hpp"

namespace dbuild::oci {
namespace {

using json = nlohmann::json;
using strict_json::Invalid;

sdk::Platform platform_of(const json& object, const std::string& where) {
  sdk::Platform platform;
  platform.os = strict_json::string_of(object, "os", where);
  platform.architecture = strict_json::string_of(object, "architecture", where);
  platform.variant = strict_json::string_of(object, "variant", where);
  platform.os_version = strict_json::string_of(object, "os.version", where);
  platform.os_features = strict_json::strings_of(object, "os.features", where);
  return platform;
}

sdk::Descriptor descriptor_of(const json& object, const std::string& where) {
  if (!object.is_object()) throw Invalid(where + ": expected an object");
  sdk::Descriptor descriptor;
  descriptor.media_type = strict_json::string_of(object, "mediaType", where);
  if (descriptor.media_type.empty()) throw Invalid(where + ": missing \"mediaType\"");
  if (strict_json::find(object, "digest") == nullptr) throw Invalid(where + ": missing \"digest\"");
  auto digest = sdk::Digest::parse(strict_json::string_of(object, "digest", where));
  if (!digest) throw Invalid(where + ".digest: " + digest.status().message());
  descriptor.digest = *digest;
  if (strict_json::find(object, "size") == nullptr) throw Invalid(where + ": missing \"size\"");
  descriptor.size = strict_json::int_of(object, "size", where);
  if (descriptor.size < 0) throw Invalid(where + ".size: expected a non-negative integer");
  (void)strict_json::strings_of(object, "urls", where);
  (void)strict_json::base64_of(object, "data", where);
  (void)strict_json::string_of(object, "artifactType", where);
  descriptor.annotations = strict_json::string_map_of(object, "annotations", where);
  if (strict_json::find(object, "platform") != nullptr)
    descriptor.platform = platform_of(strict_json::object_of(object, "platform", where), where + ".platform");
  return descriptor;
}

json descriptor_json(const sdk::Descriptor& descriptor) {
  json out = {{"mediaType", descriptor.media_type}, {"digest", descriptor.digest.str()}, {"size", descriptor.size}};
  if (!descriptor.annotations.empty()) out["annotations"] = descriptor.annotations;
  if (descriptor.platform) {
    json platform = {{"os", descriptor.platform->os}, {"architecture", descriptor.platform->architecture}};
    if (!descriptor.platform->variant.empty()) platform["variant"] = descriptor.platform->variant;
    if (!descriptor.platform->os_version.empty()) platform["os.version"] = descriptor.platform->os_version;
    if (!descriptor.platform->os_features.empty()) platform["os.features"] = descriptor.platform->os_features;
    out["platform"] = platform;
  }
  return out;
}

// The fields manifests and indexes share: schemaVersion 2, mediaType, artifactType, subject.
json versioned_object(std::string_view text, const std::string& what) {
  auto doc = strict_json::parse_object(text, what);
  if (strict_json::int_of(doc, "schemaVersion", what) != 2) throw Invalid(what + ": schemaVersion is not 2");
  (void)strict_json::string_of(doc, "artifactType", what);
  if (strict_json::find(doc, "subject") != nullptr) (void)descriptor_of(doc["subject"], what + ".subject");
  return doc;
}

std::vector<sdk::Descriptor> descriptors_of(const json& doc, const char* name, const std::string& what) {
  const json* list = strict_json::find(doc, name);
  if (list == nullptr || !list->is_array()) throw Invalid(what + "." + name + ": expected an array");
  std::vector<sdk::Descriptor> out;
  for (std::size_t i = 0; i < list->size(); ++i)
    out.push_back(descriptor_of((*list)[i], what + "." + name + "[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace

bool is_index_type(std::string_view media_type) {
  return media_type == sdk::media_type::kOciIndex || media_type == sdk::media_type::kDockerManifestList;
}

bool is_manifest_type(std::string_view media_type) {
  return media_type == sdk::media_type::kOciManifest || media_type == sdk::media_type::kDockerManifest;
}

std::string declared_media_type(std::string_view text) {
  auto doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return {};
  auto found = doc.find("mediaType");
  return found != doc.end() && found->is_string() ? found->get<std::string>() : std::string();
}

sdk::Result<sdk::Descriptor> parse_descriptor(std::string_view text) {
  try {
    return descriptor_of(strict_json::parse_object(text, "descriptor"), "descriptor");
  } catch (const Invalid& error) {
    return sdk::Status::invalid_argument(error.what());
  }
}

sdk::Result<Manifest> parse_manifest(std::string_view text) {
  try {
    auto doc = versioned_object(text, "manifest");
    Manifest manifest;
    if (auto media_type = strict_json::string_of(doc, "mediaType", "manifest"); !media_type.empty())
      manifest.media_type = media_type;
    if (!is_manifest_type(manifest.media_type)) throw Invalid("manifest: unexpected mediaType " + manifest.media_type);
    if (strict_json::find(doc, "config") == nullptr) throw Invalid("manifest: missing \"config\"");
    manifest.config = descriptor_of(doc["config"], "manifest.config");
    manifest.layers = descriptors_of(doc, "layers", "manifest");
    manifest.annotations = strict_json::string_map_of(doc, "annotations", "manifest");
    return manifest;
  } catch (const Invalid& error) {
    return sdk::Status::invalid_argument(error.what());
  }
}

sdk::Result<Index> parse_index(std::string_view text) {
  try {
    auto doc = versioned_object(text, "index");
    Index index;
    if (auto media_type = strict_json::string_of(doc, "mediaType", "index"); !media_type.empty())
      index.media_type = media_type;
    index.manifests = descriptors_of(doc, "manifests", "index");
    index.annotations = strict_json::string_map_of(doc, "annotations", "index");
    return index;
  } catch (const Invalid& error) {
    return sdk::Status::invalid_argument(error.what());
  }
}

std::string to_json(const Manifest& manifest) {
  json layers = json::array();
  for (const auto& layer : manifest.layers) layers.push_back(descriptor_json(layer));
  json doc = {{"schemaVersion", 2},
              {"mediaType", manifest.media_type},
              {"config", descriptor_json(manifest.config)},
              {"layers", layers}};
  if (!manifest.annotations.empty()) doc["annotations"] = manifest.annotations;
  return doc.dump();
}

std::string to_json(const Index& index) {
  json manifests = json::array();
  for (const auto& entry : index.manifests) manifests.push_back(descriptor_json(entry));
  json doc = {{"schemaVersion", 2}, {"mediaType", index.media_type}, {"manifests", manifests}};
  if (!index.annotations.empty()) doc["annotations"] = index.annotations;
  return doc.dump();
}

std::vector<std::string> chain_ids(const std::vector<std::string>& diff_ids) {
  std::vector<std::string> chains;
  for (const auto& diff_id : diff_ids)
    chains.push_back(chains.empty() ? diff_id : sha256_of(chains.back() + " " + diff_id).str());
  return chains;
}

std::optional<std::size_t> select_platform(const Index& index, const PlatformMatcher& matcher) {
  std::optional<std::size_t> best;
  std::size_t best_rank = 0;
  for (std::size_t i = 0; i < index.manifests.size(); ++i) {
    const auto& platform = index.manifests[i].platform;
    if (!platform) continue;
    auto rank = matcher.rank(*platform);
    if (rank && (!best || *rank < best_rank)) best = i, best_rank = *rank;
  }
  return best;
}

std::optional<std::size_t> select_platform(const Index& index, const sdk::Platform& wanted) {
  return select_platform(index, PlatformMatcher::only(wanted));
}

}  // namespace dbuild::oci
