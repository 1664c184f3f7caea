// exporter.hpp: the exporter plugin interface. An exporter takes a build's result and puts it
// somewhere: a directory, a tarball, an image store, a registry. The engine hands it the result
// through an ExportSource: as a root file system to copy, or as an image already in the content
// store.
//
// Example: an exporter that only accepts a destination and checks it before the build runs.
//
//   class TarExporter final : public dbuild::sdk::Exporter {
//    public:
//     dbuild::sdk::Status check(const dbuild::sdk::Attributes& attributes) override {
//       if (!attributes.count("dest")) return dbuild::sdk::Status::invalid_argument("dest= is required");
//       return dbuild::sdk::Status::ok();
//     }
//     dbuild::sdk::Result<dbuild::sdk::ExportResponse> export_result(const dbuild::sdk::Attributes& attributes,
//                                                                    dbuild::sdk::ExportSource& source) override {
//       auto rootfs = source.rootfs(source.platforms().front());
//       if (!rootfs) return rootfs.status();
//       ... write *rootfs as a tarball to attributes.at("dest") ...
//       return dbuild::sdk::ExportResponse{};
//     }
//   };
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/progress.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

/// One platform's result as an image in the engine's content store.
struct ExportImage {
  Platform platform{};
  Descriptor manifest{};
  Descriptor config{};
  std::vector<Descriptor> layers{};
  std::string manifest_json{};
  std::string config_json{};
};

/// How an exporter wants the image's layers and manifest.
struct ImageOptions {
  std::string compression = "gzip";     // "gzip", "zstd" or "uncompressed"
  std::optional<int> compression_level{};
  bool force_compression = false;       // also recompress layers that are compressed otherwise
  bool oci_mediatypes = true;           // false: Docker schema 2 media types (gzip only)
};

/// Where an exporter takes the layers the engine compresses for it (ExportSource::image_into):
/// straight into its destination, instead of into the content store and then copied. Implemented
/// by the exporter. Since ABI 2.1.
class LayerSink {
 public:
  virtual ~LayerSink() = default;

  /// A writer for one new compressed layer. The engine writes the whole blob, then commits it:
  /// commit() hashes what was written and returns its digest, as the content store's writers do.
  /// Return unimplemented to have this layer kept in the content store instead.
  [[nodiscard]] virtual Result<std::unique_ptr<BlobWriter>> layer() = 0;
};

/// The result of one build, as the engine offers it to exporters. Valid during export_result().
class ExportSource {
 public:
  virtual ~ExportSource() = default;

  /// The platforms built, in request order.
  [[nodiscard]] virtual std::vector<Platform> platforms() = 0;

  /// The result's root file system for `platform`, read-only, valid until export_result returns.
  /// Errors: not_found (no such platform), unavailable.
  [[nodiscard]] virtual Result<std::filesystem::path> rootfs(const Platform& platform) = 0;

  /// The result as an image in the content store, its layers compressed as `options` say
  /// (each layer is made and compressed once; later calls reuse the blobs). Errors: as rootfs,
  /// invalid_argument (a compression the media types cannot carry: zstd with Docker types).
  [[nodiscard]] virtual Result<ExportImage> image(const Platform& platform, const ImageOptions& options) = 0;

  [[nodiscard]] virtual ContentStore& content() = 0;

  /// Where to report what the export does; events get the export's own step.
  [[nodiscard]] virtual ProgressSink& progress() = 0;

  /// Names the result for `platform` in the engine's image store (what `dbuild images` lists
  /// and FROM finds), in the store's own form, and returns that image. `name` must be normalised
  /// (sdk::Registry::normalize). Errors: as image(), unavailable. Since ABI 1.1.
  [[nodiscard]] virtual Result<ExportImage> store_image(const std::string& name, const Platform& platform) = 0;

  /// Requested when the build is cancelled (Ctrl-C): long exports should stop. Since ABI 1.1.
  [[nodiscard]] virtual std::stop_token stop() = 0;

  /// As image(), but a layer that has to be compressed for this call is written into `sink`
  /// rather than kept in the content store: one copy of its bytes instead of two. The returned
  /// image's layers name those blobs, which content() does not hold; layers already compressed
  /// this way come from the content store as with image(). Since ABI 2.1.
  [[nodiscard]] virtual Result<ExportImage> image_into(const Platform& platform, const ImageOptions& options,
                                                       LayerSink& sink) = 0;
};

/// What an export produced, for --metadata-file and history: "containerimage.digest", ...
struct ExportResponse {
  std::map<std::string, std::string> metadata{};
};

class Exporter {
 public:
  virtual ~Exporter() = default;

  /// Validates the attributes and the destination before the build starts, so that a bad
  /// `dest=` fails in a second, not after the build. Errors: invalid_argument,
  /// permission_denied, not_found. Thread-safe.
  [[nodiscard]] virtual Status check(const Attributes& attributes) = 0;

  /// Exports the result. Errors: unavailable, permission_denied, cancelled.
  [[nodiscard]] virtual Result<ExportResponse> export_result(const Attributes& attributes, ExportSource& source) = 0;
};

}  // namespace dbuild::sdk
