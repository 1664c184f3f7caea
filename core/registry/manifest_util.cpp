// manifest_util.cpp: see manifest_util.hpp.
#include "registry/manifest_util.hpp"

#include <charconv>

#include <fmt/format.h>

#include "oci/image_format.hpp"

namespace dbuild::registry {

std::string where_of(const oci::Reference& repository, std::string_view tag_or_digest) {
  auto separator = tag_or_digest.find(':') == std::string_view::npos ? ":" : "@";
  return fmt::format("{}{}{}", repository.name(), separator, tag_or_digest);
}

sdk::Result<std::string> manifest_media_type(std::string_view content_type, std::string_view body) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (oci::is_manifest_type(type) || oci::is_index_type(type)) return type;
  if (type.find("manifest.v1") != std::string::npos)
    return sdk::Status::invalid_argument("Docker schema 1 manifests are not supported (" + type + ")");
  auto declared = oci::declared_media_type(body);
  if (oci::is_manifest_type(declared) || oci::is_index_type(declared)) return declared;
  // An OCI manifest may omit mediaType: a "config" names a manifest, "manifests" an index.
  if (declared.empty() && body.find("\"config\"") != std::string_view::npos)
    return std::string(sdk::media_type::kOciManifest);
  if (declared.empty() && body.find("\"manifests\"") != std::string_view::npos)
    return std::string(sdk::media_type::kOciIndex);
  return sdk::Status::invalid_argument(
      fmt::format("unsupported manifest media type \"{}\"", declared.empty() ? type : declared));
}

std::optional<sdk::Descriptor> descriptor_from_head(const HttpResponse& head, std::string_view asked) {
  if (head.status != 200) return std::nullopt;
  auto digest = sdk::Digest::parse(head.header("docker-content-digest"));
  if (!digest || (!asked.empty() && digest->str() != asked)) return std::nullopt;
  auto content_type = head.header("content-type");
  std::string type(content_type.substr(0, content_type.find(';')));
  if (!oci::is_manifest_type(type) && !oci::is_index_type(type)) return std::nullopt;
  auto length_text = head.header("content-length");
  std::int64_t length = -1;
  auto [end, error] = std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  if (error != std::errc() || length < 0) return std::nullopt;
  return sdk::Descriptor{type, *digest, length};
}

bool is_foreign(const sdk::Descriptor& blob) {
  return blob.media_type.find("nondistributable") != std::string::npos ||
         blob.media_type.find("foreign") != std::string::npos;
}

std::vector<sdk::Descriptor> named_blobs(std::string_view media_type, std::string_view bytes) {
  std::vector<sdk::Descriptor> blobs;
  if (oci::is_index_type(media_type)) {
    auto index = oci::parse_index(bytes);
    if (!index) return blobs;
    for (const auto& child : index->manifests)
      if (!oci::is_index_type(child.media_type) && !oci::is_manifest_type(child.media_type)) blobs.push_back(child);
  } else if (oci::is_manifest_type(media_type)) {
    auto manifest = oci::parse_manifest(bytes);
    if (!manifest) return blobs;
    blobs.push_back(manifest->config);
    blobs.insert(blobs.end(), manifest->layers.begin(), manifest->layers.end());
  }
  std::erase_if(blobs, is_foreign);
  return blobs;
}

}  // namespace dbuild::registry
