// layer_unpack.cpp: unpacking a layer stack into snapshots (layer_unpack.hpp).
#include "image/layer_unpack.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "image/layer_blobs.hpp"
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
  auto unpacked = snapshots.unpack(parent, layer.chain_id, file_source(fd, hooks, id, layer.blob->size));
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
