// layer_unpack.cpp: unpacking a layer stack into snapshots (layer_unpack.hpp).
#include "image/layer_unpack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "image/layer_blobs.hpp"
#include "oci/sha256.hpp"
#include "os/unique_fd.hpp"

namespace dbuild::image {
namespace {

// Reads a blob file for unpacking, reporting progress every 8 MiB and at the end.
snapshot::ByteSource file_source(const os::UniqueFd& fd, const UnpackHooks& hooks, const std::string& id,
                                 std::int64_t total) {
  auto done = std::make_shared<std::int64_t>(0);
  return [&fd, &hooks, id, total, done](void* buffer, std::size_t capacity) -> sdk::Result<std::size_t> {
    if (hooks.stop.stop_requested()) return sdk::Status::cancelled("cancelled while extracting");
    ssize_t n = ::read(fd.get(), buffer, capacity);
    if (n < 0) return sdk::Status::unavailable(std::string("reading layer: ") + std::strerror(errno));
    *done += n;
    if (hooks.progress && (n == 0 || *done % (8 << 20) < n)) hooks.progress(id, *done, total);
    return static_cast<std::size_t>(n);
  };
}

// Decompresses a layer blob and hashes what comes out, so that the snapshot can be checked
// against the diff id its chain id is made of before it is committed: a layer (from a registry or
// an imported cache) claiming another layer's diff id would otherwise be found under that chain
// by every later build whose image shares it. The tar reader then reads plain tar.
class DiffIdCheck {
 public:
  explicit DiffIdCheck(snapshot::ByteSource compressed) : compressed_(std::move(compressed)) {}
  ~DiffIdCheck() {
    if (archive_) archive_read_free(archive_);
  }
  DiffIdCheck(const DiffIdCheck&) = delete;
  DiffIdCheck& operator=(const DiffIdCheck&) = delete;

  snapshot::ByteSource source() {
    return [this](void* buffer, std::size_t capacity) { return read(buffer, capacity); };
  }

  /// Reads what the tar reader left (padding after the end-of-archive blocks) and compares.
  sdk::Status verify(const std::string& diff_id) {
    std::vector<char> rest(64 * 1024);
    while (!eof_) {
      auto n = read(rest.data(), rest.size());
      if (!n) return n.status();
    }
    const std::string actual = hasher_.finish().str();
    if (actual == diff_id) return sdk::Status::ok();
    return sdk::Status::invalid_argument("the layer's content is " + actual + ", not the " + diff_id +
                                         " its image or cache record says");
  }

 private:
  sdk::Result<std::size_t> read(void* buffer, std::size_t capacity) {
    if (eof_) return std::size_t{0};
    if (!archive_)
      if (auto opened = open(); !opened) return opened;
    if (eof_) return std::size_t{0};
    const la_ssize_t n = archive_read_data(archive_, buffer, capacity);
    if (n < 0) {
      if (!source_error_.is_ok()) return source_error_;
      return sdk::Status::invalid_argument(std::string("decompressing layer: ") + archive_error_string(archive_));
    }
    if (n == 0) eof_ = true;
    hasher_.update(buffer, static_cast<std::size_t>(n));
    return static_cast<std::size_t>(n);
  }

  sdk::Status open() {
    archive_ = archive_read_new();
    if (!archive_) return sdk::Status::unavailable("decompressing layer: out of memory");
    archive_read_support_format_raw(archive_);
    archive_read_support_format_empty(archive_);  // a layer may be an empty stream
    archive_read_support_filter_gzip(archive_);
    archive_read_support_filter_zstd(archive_);
    if (archive_read_open(archive_, this, nullptr, &DiffIdCheck::on_read, nullptr) != ARCHIVE_OK)
      return failure("opening");
    archive_entry* entry = nullptr;
    const int header = archive_read_next_header(archive_, &entry);
    if (header == ARCHIVE_EOF) {
      eof_ = true;
      return sdk::Status::ok();
    }
    if (header < ARCHIVE_WARN) return failure("reading");
    return sdk::Status::ok();
  }

  sdk::Status failure(const char* what) {
    if (!source_error_.is_ok()) return source_error_;
    return sdk::Status::invalid_argument(std::string("decompressing layer: ") + what + ": " +
                                         archive_error_string(archive_));
  }

  static la_ssize_t on_read(archive*, void* self_pointer, const void** block) {
    auto* self = static_cast<DiffIdCheck*>(self_pointer);
    auto n = self->compressed_(self->buffer_.data(), self->buffer_.size());
    if (!n) {
      self->source_error_ = n.status();
      return -1;
    }
    *block = self->buffer_.data();
    return static_cast<la_ssize_t>(*n);
  }

  snapshot::ByteSource compressed_;
  archive* archive_ = nullptr;
  std::vector<char> buffer_ = std::vector<char>(256 * 1024);
  sdk::Status source_error_;
  oci::Sha256 hasher_;
  bool eof_ = false;
};

sdk::Result<snapshot::SnapshotId> unpack_one(snapshot::Snapshotter& snapshots, sdk::ContentStore& content,
                                             std::optional<snapshot::SnapshotId> parent, const StackLayer& layer,
                                             const UnpackHooks& hooks) {
  if (!layer.blob) {
    auto nothing = [](void*, std::size_t) -> sdk::Result<std::size_t> { return std::size_t{0}; };
    return snapshots.unpack(parent, layer.chain_id, nothing);
  }
  auto path = content.path(layer.blob->digest);
  if (!path) return path.status().with_context("layer " + layer.blob->digest.str());
  os::UniqueFd fd(::open(path->c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return sdk::Status::unavailable("opening layer " + path->string() + ": " + std::strerror(errno));
  const std::string id = layer.blob->digest.str().substr(0, 19) + " extracting";
  auto source = file_source(fd, hooks, id, layer.blob->size);
  if (!layer.diff_id.starts_with("sha256:")) {
    auto unpacked = snapshots.unpack(parent, layer.chain_id, source);
    if (!unpacked) return unpacked.status().with_context("extracting layer " + layer.blob->digest.str());
    return unpacked;
  }
  DiffIdCheck check(std::move(source));
  auto unpacked = snapshots.unpack(parent, layer.chain_id, check.source(),
                                   [&] { return check.verify(layer.diff_id); });
  if (!unpacked) return unpacked.status().with_context("extracting layer " + layer.blob->digest.str());
  return unpacked;
}

}  // namespace

sdk::Result<std::optional<snapshot::SnapshotId>> unpack_stack(snapshot::Snapshotter& snapshots,
                                                            sdk::ContentStore& content, LayerBlobs& layer_blobs,
                                                            const std::vector<StackLayer>& layers,
                                                            const UnpackHooks& hooks) {
  std::optional<snapshot::SnapshotId> top;
  std::size_t first_missing = 0;
  for (; first_missing < layers.size(); ++first_missing) {
    auto found = snapshots.find_chain(layers[first_missing].chain_id);
    if (!found) break;
    top = found;
  }
  for (std::size_t i = first_missing; i < layers.size(); ++i) {
    const auto& layer = layers[i];
    if (layer.blob && hooks.fetch)
      if (auto fetched = hooks.fetch(i); !fetched) return fetched;
    auto unpacked = unpack_one(snapshots, content, top, layer, hooks);
    if (!unpacked) return unpacked.status();
    top = *unpacked;
    (void)snapshots.set_diff_id(*top, layer.diff_id);
    if (!layer.blob) continue;
    if (auto compression = compression_of(layer.blob->media_type))
      (void)layer_blobs.record(layer.diff_id, *compression, *layer.blob);
  }
  return top;
}

}  // namespace dbuild::image
