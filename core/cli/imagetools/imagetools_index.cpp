// imagetools_index.cpp: see imagetools_index.hpp.
#include "cli/imagetools/imagetools_index.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include <dbuild/sdk/descriptor.hpp>

#include "oci/sha256.hpp"

namespace dbuild::cli::imagetools {
namespace {

using nlohmann::json;

std::string text_of(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// BuildKit's attestation manifests sit beside the images they describe, all as unknown/unknown.
bool is_attestation(const json& descriptor) {
  auto annotations = descriptor.find("annotations");
  if (annotations != descriptor.end() && annotations->is_object() &&
      text_of(*annotations, "vnd.docker.reference.type") == "attestation-manifest")
    return true;
  auto platform = platform_of(descriptor);
  return platform && platform->os == "unknown";
}

sdk::Result<std::vector<sdk::Platform>> parse_platforms(std::string_view list, std::string_view flag) {
  std::vector<sdk::Platform> platforms;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    auto platform = sdk::Platform::parse(item);
    if (!platform)
      return sdk::Status::invalid_argument(
          fmt::format("invalid annotation \"{}\": platform \"{}\": {}", flag, item, platform.status().message()));
    platforms.push_back(*platform);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return platforms;
}

bool matches(const Annotation& annotation, const json& descriptor) {
  if (annotation.platforms.empty()) return true;
  auto platform = platform_of(descriptor);
  return platform && std::find(annotation.platforms.begin(), annotation.platforms.end(), *platform) !=
                         annotation.platforms.end();
}

// Each platform once; the same manifest twice is dropped (two sources may share one).
sdk::Result<std::vector<json>> unique_entries(const std::vector<Entry>& entries) {
  std::vector<json> kept;
  std::set<std::string> digests;
  std::map<std::string, const Entry*> by_platform;
  for (const auto& entry : entries) {
    auto digest = text_of(entry.descriptor, "digest");
    if (!digests.insert(digest).second) continue;
    auto platform = platform_of(entry.descriptor);
    if (!platform)
      return sdk::Status::invalid_argument(fmt::format("{} in {} names no platform", digest, entry.source));
    if (!is_attestation(entry.descriptor)) {
      auto [at, added] = by_platform.emplace(platform->str(), &entry);
      if (!added)
        return sdk::Status::invalid_argument(fmt::format(
            "duplicate platform {}: {} (from {}) and {} (from {}); an index holds one image per platform",
            platform->str(), text_of(at->second->descriptor, "digest"), at->second->source, digest, entry.source));
    }
    kept.push_back(entry.descriptor);
  }
  return kept;
}

}  // namespace

std::optional<sdk::Platform> platform_of(const json& descriptor) {
  auto platform = descriptor.find("platform");
  if (platform == descriptor.end() || !platform->is_object()) return std::nullopt;
  auto os = text_of(*platform, "os");
  auto architecture = text_of(*platform, "architecture");
  if (os.empty() || architecture.empty()) return std::nullopt;
  auto variant = text_of(*platform, "variant");
  auto text = os + "/" + architecture + (variant.empty() ? "" : "/" + variant);
  auto parsed = sdk::Platform::parse(text);
  if (!parsed) return sdk::Platform{os, architecture, variant};
  return *parsed;
}

sdk::Result<Annotation> parse_annotation(std::string_view text) {
  auto equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0)
    return sdk::Status::invalid_argument(fmt::format("invalid annotation \"{}\": expected KEY=VALUE", text));
  Annotation annotation;
  annotation.value = std::string(text.substr(equals + 1));
  auto key = text.substr(0, equals);
  static constexpr std::string_view kTypes[] = {"index", "manifest-descriptor", "manifest", "index-descriptor"};
  for (auto type : kTypes) {
    if (!key.starts_with(type)) continue;
    auto rest = key.substr(type.size());
    std::string_view platforms;
    if (rest.starts_with("[")) {
      auto close = rest.find(']');
      if (close == std::string_view::npos) continue;
      platforms = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
    }
    if (!rest.starts_with(":")) continue;
    if (type == "manifest" || type == "index-descriptor")
      return sdk::Status::invalid_argument(fmt::format(
          "invalid annotation \"{}\": {} annotations are not supported by imagetools create (it does not rewrite "
          "manifests); use index: or manifest-descriptor:",
          text, type));
    annotation.target = type == "index" ? Annotation::Target::Index : Annotation::Target::ManifestDescriptor;
    auto parsed = parse_platforms(platforms, text);
    if (!parsed) return parsed.status();
    if (!parsed->empty() && annotation.target == Annotation::Target::Index)
      return sdk::Status::invalid_argument(
          fmt::format("invalid annotation \"{}\": index annotations take no platform", text));
    annotation.platforms = std::move(*parsed);
    key = rest.substr(1);
    break;
  }
  if (key.empty()) return sdk::Status::invalid_argument(fmt::format("invalid annotation \"{}\": empty key", text));
  annotation.key = std::string(key);
  return annotation;
}

sdk::Result<IndexDocument> assemble_index(const std::vector<Entry>& entries,
                                          const std::vector<Annotation>& annotations) {
  auto manifests = unique_entries(entries);
  if (!manifests) return manifests.status();
  json index_annotations = json::object();
  for (const auto& annotation : annotations) {
    if (annotation.target == Annotation::Target::Index) {
      index_annotations[annotation.key] = annotation.value;
      continue;
    }
    bool any = false;
    for (auto& descriptor : *manifests) {
      if (!matches(annotation, descriptor)) continue;
      descriptor["annotations"][annotation.key] = annotation.value;
      any = true;
    }
    if (!any)
      return sdk::Status::invalid_argument(
          fmt::format("annotation {}: no manifest of the new index has the platform it names", annotation.key));
  }
  // A Docker manifest list has no annotations; anything else makes it an OCI index.
  bool docker = index_annotations.empty();
  for (const auto& descriptor : *manifests)
    docker = docker && text_of(descriptor, "mediaType") == sdk::media_type::kDockerManifest &&
             !descriptor.contains("annotations");
  json document = {{"schemaVersion", 2},
                   {"mediaType", docker ? sdk::media_type::kDockerManifestList : sdk::media_type::kOciIndex},
                   {"manifests", *manifests}};
  if (!index_annotations.empty()) document["annotations"] = index_annotations;
  IndexDocument result;
  result.bytes = document.dump(-1, ' ', false, json::error_handler_t::replace);
  result.media_type = document["mediaType"].get<std::string>();
  result.digest = oci::sha256_of(result.bytes);
  return result;
}

}  // namespace dbuild::cli::imagetools
