// layer_blobs.cpp: the layer_blobs table.
#include "image/layer_blobs.hpp"

#include "db/database.hpp"
#include "db/statement.hpp"

namespace dbuild::image {

const char* compression_name(Compression compression) noexcept {
  switch (compression) {
    case Compression::None: return "none";
    case Compression::Gzip: return "gzip";
    case Compression::Zstd: return "zstd";
  }
  return "none";
}

const char* layer_media_type(Compression compression) noexcept {
  switch (compression) {
    case Compression::None: return sdk::media_type::kOciLayer;
    case Compression::Gzip: return sdk::media_type::kOciLayerGzip;
    case Compression::Zstd: return sdk::media_type::kOciLayerZstd;
  }
  return sdk::media_type::kOciLayer;
}

const char* docker_layer_media_type(Compression compression) noexcept {
  return compression == Compression::Gzip ? sdk::media_type::kDockerLayerGzip
                                          : "application/vnd.docker.image.rootfs.diff.tar";
}

std::optional<Compression> compression_of(std::string_view media_type) noexcept {
  if (media_type == sdk::media_type::kOciLayer || media_type == "application/vnd.docker.image.rootfs.diff.tar")
    return Compression::None;
  if (media_type == sdk::media_type::kOciLayerGzip || media_type == sdk::media_type::kDockerLayerGzip)
    return Compression::Gzip;
  if (media_type == sdk::media_type::kOciLayerZstd) return Compression::Zstd;
  return std::nullopt;
}

sdk::Status LayerBlobs::record(const std::string& diff_id, Compression compression, const sdk::Descriptor& blob) {
  auto statement = database_.prepare("recording a layer blob",
                                     "INSERT INTO layer_blobs (diff_id, compression, digest, size) VALUES (?1, ?2, ?3, ?4)"
                                     " ON CONFLICT DO UPDATE SET digest = ?3, size = ?4");
  if (!statement) return statement.status();
  if (auto bound = statement->bind_all(diff_id, compression_name(compression), blob.digest.str(), blob.size); !bound)
    return bound;
  auto ran = statement->run();
  return ran ? sdk::Status::ok() : ran.status();
}

std::optional<sdk::Descriptor> LayerBlobs::find(const std::string& diff_id, Compression compression) {
  auto statement = database_.prepare("finding a layer blob",
                                     "SELECT compression, digest, size FROM layer_blobs WHERE diff_id = ?1"
                                     " ORDER BY compression = ?2 DESC, compression");
  if (!statement || !statement->bind_all(diff_id, compression_name(compression))) return std::nullopt;
  auto step = statement->step();
  if (!step || *step != db::Statement::Step::Row) return std::nullopt;
  const std::string found = statement->column_text(0);
  sdk::Descriptor blob;
  blob.digest = *sdk::Digest::parse(statement->column_text(1));
  blob.size = statement->column_int64(2);
  Compression kind = found == "gzip" ? Compression::Gzip : found == "zstd" ? Compression::Zstd : Compression::None;
  blob.media_type = layer_media_type(kind);
  return blob;
}

}  // namespace dbuild::image

namespace dbuild::image {

std::optional<sdk::Descriptor> LayerBlobs::find_exact(const std::string& diff_id, Compression compression) {
  auto found = find(diff_id, compression);
  if (!found || compression_of(found->media_type) != compression) return std::nullopt;
  return found;
}

}  // namespace dbuild::image
