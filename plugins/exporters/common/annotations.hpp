// annotations.hpp: the annotation attributes image exporters take, as BuildKit spells them:
// annotation.KEY=V and annotation-manifest.KEY=V (the image manifest),
// annotation-manifest-descriptor.KEY=V (the manifest's entry in an index or index.json),
// annotation-index.KEY=V and annotation-index-descriptor.KEY=V (an image index, when one is made);
// any of them may name a platform: annotation-manifest[linux/arm64].KEY=V.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/platform.hpp>

namespace dbuild::exporters {

struct Annotations {
  enum class Target { Manifest, ManifestDescriptor, Index, IndexDescriptor };
  struct Entry {
    Target target = Target::Manifest;
    std::optional<sdk::Platform> platform;  // only this platform's manifest
    std::string key;
    std::string value;
  };
  std::vector<Entry> entries;

  /// KEY -> VALUE of `target` for `platform` (the index targets ignore it).
  [[nodiscard]] std::map<std::string, std::string> of(Target target, const sdk::Platform& platform = {}) const;
};

/// The annotation attributes among `attributes` (others are ignored). Errors: invalid_argument
/// (an unknown annotation type, an empty key, a bad platform).
[[nodiscard]] sdk::Result<Annotations> parse_annotations(const sdk::Attributes& attributes);

/// True for an attribute that parse_annotations reads.
[[nodiscard]] bool is_annotation_attribute(const std::string& key);

/// `image` with `annotations` added to its manifest (a new manifest written to `content`); the
/// image itself when there are none.
[[nodiscard]] sdk::Result<sdk::ExportImage> annotate_manifest(sdk::ExportImage image,
                                                              const std::map<std::string, std::string>& annotations,
                                                              sdk::ContentStore& content);

}  // namespace dbuild::exporters
