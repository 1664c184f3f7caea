// image_format.cpp: JSON for descriptors, manifests and indexes; chain ids; platform choice.
#include "oci/image_format.hpp"

#include <nlohmann/json.hpp>

#include "oci/sha256.hpp"

namespace dbuild::oci {
namespace {

using json = nlohmann::json;

struct Invalid : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string text_field(const json& object, const char* name, const std::string& where, bool required) {
  auto found = object.find(name);
  if (found == object.end()) {
    if (required) throw Invalid(where + ": missing \"" + name + "\"");
    return {};
  }
  if (!found->is_string()) throw Invalid(where + "." + name + ": expected a string");
  return found->get<std::string>();
}

std::map<std::string, std::string> annotations_of(const json& object, const std::string& where) {
  std::map<std::string, std::string> annotations;
  auto found = object.find("annotations");
  if (found == object.end() || found->is_null()) return annotations;
  if (!found->is_object()) throw Invalid(where + ".annotations: expected an object");
  for (const auto& [key, value] : found->items()) {
    if (!value.is_string()) throw Invalid(where + ".annotations." + key + ": expected a string");
    annotations[key] = value.get<std::string>();
  }
  return annotations;
}

sdk::Descriptor descriptor_of(const json& object, const std::string& where) {
  if (!object.is_object()) throw Invalid(where + ": expected an object");
  sdk::Descriptor descriptor;
  descriptor.media_type = text_field(object, "mediaType", where, true);
  auto digest = sdk::Digest::parse(text_field(object, "digest", where, true));
  if (!digest) throw Invalid(where + ".digest: " + digest.status().message());
  descriptor.digest = *digest;
  auto size = object.find("size");
  if (size == object.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0)
    throw Invalid(where + ".size: expected a non-negative integer");
  descriptor.size = size->get<std::int64_t>();
  descriptor.annotations = annotations_of(object, where);
  if (auto platform = object.find("platform"); platform != object.end() && platform->is_object()) {
    sdk::Platform value;
    value.os = text_field(*platform, "os", where + ".platform", true);
    value.architecture = text_field(*platform, "architecture", where + ".platform", true);
    value.variant = text_field(*platform, "variant", where + ".platform", false);
    value.os_version = text_field(*platform, "os.version", where + ".platform", false);
    descriptor.platform = value;
  }
  return descriptor;
}

json descriptor_json(const sdk::Descriptor& descriptor) {
  json out = {{"mediaType", descriptor.media_type}, {"digest", descriptor.digest.str()}, {"size", descriptor.size}};
  if (!descriptor.annotations.empty()) out["annotations"] = descriptor.annotations;
  if (descriptor.platform) {
    json platform = {{"os", descriptor.platform->os}, {"architecture", descriptor.platform->architecture}};
    if (!descriptor.platform->variant.empty()) platform["variant"] = descriptor.platform->variant;
    if (!descriptor.platform->os_version.empty()) platform["os.version"] = descriptor.platform->os_version;
    out["platform"] = platform;
  }
  return out;
}

json parse_object(std::string_view text, const char* what) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw Invalid(std::string(what) + " is not a JSON object");
  if (doc.value("schemaVersion", 0) != 2) throw Invalid(std::string(what) + ": schemaVersion is not 2");
  return doc;
}

// containerd's arm rule: a v8 machine runs v7, v6 and v5 images, and so on down.
int arm_variant_rank(const std::string& variant) {
  if (variant.size() == 2 && variant[0] == 'v' && variant[1] >= '5' && variant[1] <= '8') return variant[1] - '0';
  return variant.empty() ? 7 : 0;
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
  return doc.value("mediaType", "");
}

sdk::Result<Manifest> parse_manifest(std::string_view text) {
  try {
    auto doc = parse_object(text, "manifest");
    Manifest manifest;
    manifest.media_type = doc.value("mediaType", std::string(sdk::media_type::kOciManifest));
    if (!is_manifest_type(manifest.media_type)) throw Invalid("manifest: unexpected mediaType " + manifest.media_type);
    manifest.config = descriptor_of(doc.value("config", json()), "manifest.config");
    auto layers = doc.find("layers");
    if (layers == doc.end() || !layers->is_array()) throw Invalid("manifest.layers: expected an array");
    for (std::size_t i = 0; i < layers->size(); ++i)
      manifest.layers.push_back(descriptor_of((*layers)[i], "manifest.layers[" + std::to_string(i) + "]"));
    manifest.annotations = annotations_of(doc, "manifest");
    return manifest;
  } catch (const Invalid& error) {
    return sdk::Status::invalid_argument(error.what());
  }
}

sdk::Result<Index> parse_index(std::string_view text) {
  try {
    auto doc = parse_object(text, "index");
    Index index;
    index.media_type = doc.value("mediaType", std::string(sdk::media_type::kOciIndex));
    auto manifests = doc.find("manifests");
    if (manifests == doc.end() || !manifests->is_array()) throw Invalid("index.manifests: expected an array");
    for (std::size_t i = 0; i < manifests->size(); ++i)
      index.manifests.push_back(descriptor_of((*manifests)[i], "index.manifests[" + std::to_string(i) + "]"));
    index.annotations = annotations_of(doc, "index");
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

std::optional<std::size_t> select_platform(const Index& index, const sdk::Platform& wanted) {
  std::optional<std::size_t> best;
  int best_rank = -1;
  for (std::size_t i = 0; i < index.manifests.size(); ++i) {
    const auto& platform = index.manifests[i].platform;
    if (!platform || platform->os != wanted.os || platform->architecture != wanted.architecture) continue;
    if (wanted.architecture != "arm") {
      if (platform->variant == wanted.variant || platform->variant.empty() || wanted.variant.empty()) {
        int rank = platform->variant == wanted.variant ? 2 : 1;
        if (rank > best_rank) best = i, best_rank = rank;
      }
      continue;
    }
    int rank = arm_variant_rank(platform->variant);
    if (rank > 0 && rank <= arm_variant_rank(wanted.variant) && rank > best_rank) best = i, best_rank = rank;
  }
  return best;
}

}  // namespace dbuild::oci
