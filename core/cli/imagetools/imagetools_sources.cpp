// imagetools_sources.cpp: see imagetools_sources.hpp.
#include "cli/imagetools/imagetools_sources.hpp"

#include <cctype>

#include <fmt/format.h>

#include <dbuild/sdk/descriptor.hpp>

#include "oci/image_format.hpp"

namespace dbuild::cli::imagetools {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::string text_of(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

sdk::Result<SourceSpec> parse_descriptor_source(std::string_view text) {
  SourceSpec spec;
  spec.text = std::string(text);
  spec.descriptor = json::parse(text, nullptr, false);
  if (spec.descriptor.is_discarded() || !spec.descriptor.is_object())
    return sdk::Status::invalid_argument("invalid source descriptor: not a JSON object");
  spec.digest = text_of(spec.descriptor, "digest");
  if (auto digest = sdk::Digest::parse(spec.digest); !digest)
    return sdk::Status::invalid_argument(
        fmt::format("invalid source descriptor: digest \"{}\": {}", spec.digest, digest.status().message()));
  spec.text = spec.digest;
  return spec;
}

// The os, architecture, variant, os.version and os.features an image config states.
sdk::Result<json> platform_of_image(registry::RegistryClient& client, const oci::Reference& repository,
                                    std::string_view manifest_bytes, const std::string& what) {
  auto manifest = oci::parse_manifest(manifest_bytes);
  if (!manifest) return manifest.status().with_context("reading " + what);
  const auto& type = manifest->config.media_type;
  if (type != sdk::media_type::kOciConfig && type != sdk::media_type::kDockerConfig)
    return sdk::Status::invalid_argument(fmt::format("{} is not an image: its config is {}", what, type));
  auto bytes = client.fetch_blob(repository, manifest->config);
  if (!bytes) return bytes.status().with_context("reading the config of " + what);
  auto config = json::parse(*bytes, nullptr, false);
  if (config.is_discarded() || !config.is_object() || text_of(config, "os").empty() ||
      text_of(config, "architecture").empty())
    return sdk::Status::invalid_argument(fmt::format("{} is not an image: its config names no os and architecture", what));
  json platform = {{"os", text_of(config, "os")}, {"architecture", text_of(config, "architecture")}};
  if (auto variant = text_of(config, "variant"); !variant.empty()) platform["variant"] = variant;
  if (auto version = text_of(config, "os.version"); !version.empty()) platform["os.version"] = version;
  if (auto features = config.find("os.features"); features != config.end() && features->is_array() && !features->empty())
    platform["os.features"] = *features;
  return platform;
}

// An index's entries as it wrote them; those without a platform get their image's.
sdk::Status add_index_entries(registry::RegistryClient& client, ResolvedSource& resolved) {
  auto index = json::parse(resolved.root.bytes, nullptr, false);
  if (index.is_discarded() || !index.contains("manifests") || !index["manifests"].is_array())
    return sdk::Status::invalid_argument(resolved.text + ": the index has no manifests list");
  for (const auto& descriptor : index["manifests"]) {
    Entry entry{descriptor, resolved.reference, resolved.text};
    if (!descriptor.is_object())
      return sdk::Status::invalid_argument(resolved.text + ": the index has an entry that is not a descriptor");
    auto digest = sdk::Digest::parse(text_of(descriptor, "digest"));
    if (!digest) return digest.status().with_context(resolved.text + ": an entry of the index");
    if (!descriptor.contains("platform") && oci::is_manifest_type(text_of(descriptor, "mediaType"))) {
      auto child = client.fetch_manifest(resolved.reference, *digest);
      if (!child) return child.status();
      auto what = fmt::format("{}@{}", resolved.reference.name(), digest->str());
      auto platform = platform_of_image(client, resolved.reference, child->bytes, what);
      if (!platform) return platform.status();
      entry.descriptor["platform"] = *platform;
    }
    resolved.entries.push_back(std::move(entry));
  }
  return sdk::Status::ok();
}

}  // namespace

sdk::Result<oci::Reference> parse_user_reference(std::string_view text) {
  auto reference = oci::parse_reference(text);
  if (!reference)
    return sdk::Status::invalid_argument(fmt::format("invalid reference \"{}\": {}", text, reference.status().message()));
  return reference;
}

sdk::Result<SourceSpec> parse_source(std::string_view text) {
  text = trim(text);
  if (text.starts_with("{")) return parse_descriptor_source(text);
  SourceSpec spec;
  spec.text = std::string(text);
  if (text.find('/') == std::string_view::npos && sdk::Digest::parse(text)) {
    spec.digest = spec.text;
    return spec;
  }
  auto reference = parse_user_reference(text);
  if (!reference) return reference.status();
  spec.reference = *reference;
  return spec;
}

sdk::Status bind_repositories(std::vector<SourceSpec>& sources, const std::vector<oci::Reference>& tags) {
  std::optional<oci::Reference> fallback;
  if (!tags.empty()) fallback = tags.front();
  for (const auto& source : sources)
    if (!fallback && source.reference) fallback = source.reference;
  for (auto& source : sources) {
    if (source.reference && source.digest.empty()) continue;
    if (!source.reference) {
      if (!fallback)
        return sdk::Status::invalid_argument(fmt::format(
            "cannot tell which repository holds {}: name it as REPOSITORY@{}, or give -t", source.digest, source.digest));
      source.reference = *fallback;
      source.reference->tag.clear();
    }
    source.reference->digest = source.digest;
  }
  return sdk::Status::ok();
}

sdk::Result<ResolvedSource> resolve_source(registry::RegistryClient& client, const SourceSpec& source) {
  ResolvedSource resolved;
  resolved.text = source.text;
  resolved.reference = *source.reference;
  auto root = client.fetch_manifest(resolved.reference);
  if (!root) return root.status();
  resolved.root = std::move(*root);
  if (oci::is_index_type(resolved.root.media_type)) {
    if (auto status = add_index_entries(client, resolved); !status) return status;
    return resolved;
  }
  json descriptor = {{"mediaType", resolved.root.media_type},
                     {"digest", resolved.root.digest.str()},
                     {"size", resolved.root.bytes.size()}};
  if (source.descriptor.is_object())
    for (const auto& [key, value] : source.descriptor.items())
      if (key != "mediaType" && key != "digest" && key != "size") descriptor[key] = value;
  if (!descriptor.contains("platform")) {
    auto platform = platform_of_image(client, resolved.reference, resolved.root.bytes, source.text);
    if (!platform) return platform.status();
    descriptor["platform"] = *platform;
  }
  resolved.entries.push_back({std::move(descriptor), resolved.reference, source.text});
  return resolved;
}

}  // namespace dbuild::cli::imagetools
