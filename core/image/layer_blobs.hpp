// layer_blobs.hpp: which blob holds a layer (by its diff id) in which compression, so that a
// layer is compressed once and a base image's layers are reused as they were pulled.
#pragma once

#include <optional>
#include <string>

#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::db {
class Database;
}

namespace dbuild::image {

enum class Compression { None, Gzip, Zstd };

[[nodiscard]] const char* compression_name(Compression compression) noexcept;
/// The OCI layer media type for a compression.
[[nodiscard]] const char* layer_media_type(Compression compression) noexcept;
/// The Docker schema 2 layer media type for a compression (gzip or none).
[[nodiscard]] const char* docker_layer_media_type(Compression compression) noexcept;
/// The compression a layer media type says (OCI or Docker), if it is a layer type at all.
[[nodiscard]] std::optional<Compression> compression_of(std::string_view media_type) noexcept;

class LayerBlobs {
 public:
  explicit LayerBlobs(db::Database& database) : database_(database) {}

  /// Records that `blob` holds the layer `diff_id`; recording it again is harmless.
  [[nodiscard]] sdk::Status record(const std::string& diff_id, Compression compression, const sdk::Descriptor& blob);

  /// The blob holding `diff_id`, preferring `compression`, else any recorded one.
  [[nodiscard]] std::optional<sdk::Descriptor> find(const std::string& diff_id, Compression compression);
  /// The blob holding `diff_id` in exactly `compression`, if recorded.
  [[nodiscard]] std::optional<sdk::Descriptor> find_exact(const std::string& diff_id, Compression compression);

 private:
  db::Database& database_;
};

}  // namespace dbuild::image
