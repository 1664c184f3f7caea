// layer_unpack.hpp: a stack of layers unpacked into snapshots, one per layer, each keyed by the
// stack up to it (an image's chain id), so that what was unpacked once (by any build, from an
// image or an imported cache) is found again instead of unpacked twice.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/status.hpp>

#include "snapshot/snapshotter.hpp"

namespace dbuild::image {

class LayerBlobs;

/// The diff id recorded for a snapshot that changed nothing (it has no layer in an image).
inline constexpr const char* kEmptyDiffId = "empty";

/// One layer of a stack, root first.
struct StackLayer {
  std::string chain_id;                 // the snapshot's key: the stack up to and with this layer
  std::string diff_id;                  // the uncompressed layer's digest, or kEmptyDiffId
  std::optional<sdk::Descriptor> blob;  // the layer's blob; none for an empty layer
};

struct UnpackHooks {
  /// Makes the blob of layers[index] present in the content store; called only for layers that
  /// are about to be unpacked. Empty: every blob is there already.
  std::function<sdk::Status(std::size_t index)> fetch{};
  /// Bytes extracted of a layer so far ("sha256:0123456789ab extracting").
  std::function<void(const std::string& id, std::int64_t done, std::int64_t total)> progress{};
  std::stop_token stop{};
};

/// The snapshot of the whole stack (none for an empty stack): the longest prefix already
/// unpacked is reused, the rest is fetched (hooks.fetch) and unpacked from `content`. Each new
/// snapshot gets its diff id, and each blob is recorded in `layer_blobs` under its compression.
/// Errors: not_found (a blob the content store lacks), invalid_argument (a broken layer),
/// unavailable, cancelled.
[[nodiscard]] sdk::Result<std::optional<snapshot::SnapshotId>> unpack_stack(snapshot::Snapshotter& snapshots,
                                                                          sdk::ContentStore& content,
                                                                          LayerBlobs& layer_blobs,
                                                                          const std::vector<StackLayer>& layers,
                                                                          const UnpackHooks& hooks);

}  // namespace dbuild::image
