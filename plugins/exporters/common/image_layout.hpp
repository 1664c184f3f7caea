// image_layout.hpp: what the oci and docker exporters share: reading their image attributes
// (compression, media types, names), and writing an image as an OCI image layout (blobs,
// index.json, oci-layout) into a tarball or a directory, with Docker's manifest.json added for
// `docker load`.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <dbuild/sdk/attributes.hpp>
#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::exporters {

/// name=a,b: the image names; "" entries dropped.
[[nodiscard]] std::vector<std::string> image_names(const sdk::Attributes& attributes);

/// Checks a `dest=` that is a file (or "-" for stdout) before the build runs.
[[nodiscard]] sdk::Status check_file_dest(const std::string& dest);

/// Files of a layout, written to a tar stream or under a directory (layout_writers.cpp).
class LayoutWriter {
 public:
  virtual ~LayoutWriter() = default;
  /// Where the engine may compress layers straight into this layout (ExportSource::image_into);
  /// null where it cannot (a tar stream to a pipe).
  [[nodiscard]] virtual sdk::LayerSink* layer_sink() { return nullptr; }
  /// Notes that the blob file `path` is in the layout; false when it was already.
  bool written_blob(const std::string& path) { return !blobs_.insert(path).second; }
  [[nodiscard]] virtual sdk::Status add_text(const std::string& path, const std::string& text) = 0;
  [[nodiscard]] virtual sdk::Status add_file(const std::string& path, const std::filesystem::path& source,
                                             std::int64_t size) = 0;
  [[nodiscard]] virtual sdk::Status finish() = 0;

 private:
  std::set<std::string> blobs_;
};

/// A tar writer to `dest` ("-" is stdout, an open fd may be given instead with `fd` >= 0).
[[nodiscard]] sdk::Result<std::unique_ptr<LayoutWriter>> tar_writer(const std::string& dest, int fd = -1);
/// A writer into the directory `dest` (created).
[[nodiscard]] sdk::Result<std::unique_ptr<LayoutWriter>> directory_writer(const std::filesystem::path& dest);

struct LayoutImage {
  sdk::ExportImage image;
  std::vector<std::string> names;  // full references, "docker.io/library/app:1"
  std::map<std::string, std::string> descriptor_annotations{};  // on the manifest's index entries
};

/// Each platform's image in the form `options` asks for, with the annotation attributes applied
/// (annotations.hpp), named `names`. Layers compressed now go into `sink` when one is given (the
/// writer's layer_sink()), else into the engine's content store. Errors: as ExportSource::image,
/// invalid_argument.
[[nodiscard]] sdk::Result<std::vector<LayoutImage>> layout_images(const sdk::Attributes& attributes,
                                                                  const sdk::ImageOptions& options,
                                                                  const std::vector<std::string>& names,
                                                                  sdk::ExportSource& source,
                                                                  sdk::LayerSink* sink = nullptr);

/// Writes blobs (manifest, config, layers, shared ones once), index.json (each manifest
/// annotated with its names) and oci-layout; with `docker_manifest`, also manifest.json as
/// `docker load` reads it. Blobs are read from `content`, except those already written into
/// `writer` through its layer sink.
[[nodiscard]] sdk::Status write_layout(LayoutWriter& writer, const std::vector<LayoutImage>& images,
                                       sdk::ContentStore& content, bool docker_manifest);

}  // namespace dbuild::exporters
