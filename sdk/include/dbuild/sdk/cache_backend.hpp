// cache_backend.hpp: the cache backend plugin interface. A backend moves build cache between
// this engine and somewhere else: it imports (`--cache-from type=NAME,...`) and exports
// (`--cache-to type=NAME,...`). The host owns the format (share/doc/cache.md): it decides which
// steps an imported cache satisfies, fetches only the layers a build needs, and lays a cache out
// for export as a root manifest (or index) naming a records blob and layer blobs. A backend only
// stores and fetches those documents and blobs, verified by digest, wherever it keeps them.
//
// Example: a backend keeping the cache in an object store (see sdk/README.md for the whole of it).
//
//   class S3Cache final : public dbuild::sdk::CacheBackend {
//    public:
//     dbuild::sdk::Status check(const dbuild::sdk::Attributes& attributes, dbuild::sdk::CacheDirection) override {
//       if (!attributes.count("bucket")) return dbuild::sdk::Status::invalid_argument("bucket= is required");
//       return dbuild::sdk::Status::ok();
//     }
//     dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::CacheReader>> open(const dbuild::sdk::Attributes& a) override {
//       return std::make_unique<S3Reader>(a.at("bucket"));  // resolve(): GET <bucket>/index, ...
//     }
//     dbuild::sdk::Status export_cache(const dbuild::sdk::Attributes& a, dbuild::sdk::CacheExportSource& source) override {
//       auto layout = source.layout({});  // mode=min, gzip layers, an OCI image manifest as root
//       if (!layout) return layout.status();
//       for (const auto& blob : layout->blobs) { ... PUT <bucket>/blobs/<digest> from source.content().path(blob.digest) ... }
//       ... PUT <bucket>/blobs/<root digest> (layout->root_json), then <bucket>/index (the root's descriptor) last ...
//       return dbuild::sdk::Status::ok();
//     }
//   };
#pragma once

#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/progress.hpp>
#include <dbuild/sdk/registry.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

namespace media_type {
/// The records blob of a cache: keys, their inputs, and the layers of each result (share/doc/cache.md).
inline constexpr const char* kCacheConfig = "application/vnd.dbuild.cache.config.v1+json";
}  // namespace media_type

/// Which steps an export carries results for: the final result's own steps (min), or every
/// step of every stage (max). Both carry every step's key, so that an importer shows them cached.
enum class CacheMode : std::uint8_t { Min, Max };

/// Whether attributes are checked for `--cache-from` (Import) or `--cache-to` (Export).
enum class CacheDirection : std::uint8_t { Import, Export };

/// How the host lays a cache out for export. A backend fills it from its attributes (mode=,
/// compression=, oci-mediatypes=, image-manifest=).
struct CacheLayoutOptions {
  CacheMode mode = CacheMode::Min;
  ImageOptions layers{};       // layer compression; oci_mediatypes also picks the root's media type
  bool image_manifest = true;  // root: an image manifest whose config is the records blob; false: an index listing them
};

/// A cache laid out in the engine's content store, ready to be stored: the root document and
/// every blob it names (the records blob, then the layers, each once).
struct CacheLayout {
  Descriptor root{};
  std::string root_json{};
  std::vector<Descriptor> blobs{};
};

/// A build's cache as the host offers it to export_cache(). Valid during that call only.
class CacheExportSource {
 public:
  virtual ~CacheExportSource() = default;

  /// Collects the records `options.mode` asks for, writes their layers compressed as asked (each
  /// layer once; later calls reuse it) and the records blob and root, all in content().
  /// Errors: invalid_argument (zstd with Docker media types), unavailable, cancelled.
  [[nodiscard]] virtual Result<CacheLayout> layout(const CacheLayoutOptions& options) = 0;

  /// Inline cache: puts the records of the final result's steps (mode=min) into the config of the
  /// image each platform's exporters will write, its layers named by diff id (the image's own).
  /// Errors: failed_precondition (an exporter already made the image).
  [[nodiscard]] virtual Status embed_in_image() = 0;

  /// Where layout()'s blobs are; read them with path() (layers) or read() (the rest).
  [[nodiscard]] virtual ContentStore& content() = 0;
  /// Events get the cache export's own step.
  [[nodiscard]] virtual ProgressSink& progress() = 0;
  /// Requested when the build is cancelled.
  [[nodiscard]] virtual std::stop_token stop() = 0;
};

/// One imported cache as its backend reaches it. The host verifies what it reads: a document
/// whose bytes do not match its descriptor is refused, and fetch_blob must commit with the
/// expected digest and size so that a wrong blob is never stored. Called from several threads.
class CacheReader {
 public:
  virtual ~CacheReader() = default;

  /// The root: a cache manifest or index (what export stored), or an image carrying inline
  /// cache. Errors: not_found (no cache there: the build warns and runs without it), unavailable.
  [[nodiscard]] virtual Result<Descriptor> resolve() = 0;

  /// The bytes of a manifest or index: the root, or one an index names. Errors: not_found, unavailable.
  [[nodiscard]] virtual Result<std::string> fetch_manifest(const Descriptor& manifest) = 0;

  /// Copies `blob` into `store`, committed with its digest and size as expected. A blob the
  /// store has needs no copy. Errors: not_found, invalid_argument (it does not match), unavailable, cancelled.
  [[nodiscard]] virtual Status fetch_blob(const Descriptor& blob, ContentStore& store, const TransferHooks& hooks) = 0;

  /// Checks, as far as is cheap, that the cache holds `blobs`; not_found names the first one
  /// missing. A store that cannot hold a manifest without its blobs (a registry refuses such a
  /// push) may answer ok: a blob lost later fails its step's import, and the step runs.
  [[nodiscard]] virtual Status check_blobs(const std::vector<Descriptor>& blobs) = 0;
};

class CacheBackend {
 public:
  virtual ~CacheBackend() = default;

  /// Validates the attributes before the build starts (a missing dest= fails at once).
  /// Errors: invalid_argument, permission_denied, unimplemented (a direction it does not do).
  /// Thread-safe.
  [[nodiscard]] virtual Status check(const Attributes& attributes, CacheDirection direction) = 0;

  /// Opens the cache the attributes name for import. Nothing needs to be read yet. Errors:
  /// not_found, unavailable, unimplemented (an export-only backend, such as inline).
  [[nodiscard]] virtual Result<std::unique_ptr<CacheReader>> open(const Attributes& attributes) = 0;

  /// Stores the build's cache (`source.layout(...)`, or `source.embed_in_image()`). Should be
  /// atomic where the store allows: a failed or killed export leaves the previous cache usable.
  /// Errors: unavailable, permission_denied, cancelled.
  [[nodiscard]] virtual Status export_cache(const Attributes& attributes, CacheExportSource& source) = 0;
};

}  // namespace dbuild::sdk
