// snapshotter.hpp: snapshots are the results of build steps: directory trees stacked like image
// layers. Two drivers: overlay (each snapshot stores only its diff, and trees are overlayfs
// mounts of the chain) and copy (each snapshot stores its full tree; for machines that refuse
// overlay mounts). Metadata lives in the state database; directories under <root>/snapshots/.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "snapshot/layer_tar.hpp"

namespace dbuild::db {
class Database;
}

namespace dbuild::snapshot {

using SnapshotId = std::int64_t;

enum class Driver { Overlay, Copy };

/// "overlay" or "copy".
[[nodiscard]] const char* driver_name(Driver driver) noexcept;

class Snapshotter;

/// A writable tree being filled by a step. Commit it with Snapshotter::commit; dropping it
/// without committing removes it (and unmounts it).
class Active {
 public:
  ~Active();
  Active(const Active&) = delete;
  Active& operator=(const Active&) = delete;

  /// Where the tree is visible and writable.
  [[nodiscard]] const std::filesystem::path& root() const { return root_; }
  [[nodiscard]] SnapshotId id() const { return id_; }

 private:
  friend class Snapshotter;
  Active(Snapshotter& owner, SnapshotId id, std::optional<SnapshotId> parent, std::filesystem::path root, bool mounted)
      : owner_(owner), id_(id), parent_(parent), root_(std::move(root)), mounted_(mounted) {}

  Snapshotter& owner_;
  SnapshotId id_;
  std::optional<SnapshotId> parent_;
  std::filesystem::path root_;
  bool mounted_;
  bool done_ = false;
};

/// A read-only tree of a committed snapshot (or the empty tree). Valid until destroyed.
class View {
 public:
  ~View();
  View(const View&) = delete;
  View& operator=(const View&) = delete;
  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

 private:
  friend class Snapshotter;
  View(std::filesystem::path root, bool mounted) : root_(std::move(root)), mounted_(mounted) {}
  std::filesystem::path root_;
  bool mounted_;
};

class Snapshotter {
 public:
  /// `state_root` holds snapshots/; `mounts_dir` is this session's directory for mount points;
  /// `session` names the owner of active snapshots (see cleanup_session).
  Snapshotter(db::Database& database, std::filesystem::path state_root, std::filesystem::path mounts_dir,
              std::string session, Driver driver);

  /// Overlay when an overlay mount works under `state_root`, else copy. DBUILD_SNAPSHOTTER
  /// (overlay|copy) forces one.
  static Driver choose_driver(const std::filesystem::path& state_root);

  [[nodiscard]] Driver driver() const noexcept { return driver_; }

  /// A writable tree on top of `parent` (none: empty). Errors: unavailable (disk, mount).
  [[nodiscard]] sdk::Result<std::unique_ptr<Active>> prepare(std::optional<SnapshotId> parent);

  /// Makes `active` a committed snapshot and returns its id. Errors: unavailable.
  [[nodiscard]] sdk::Result<SnapshotId> commit(std::unique_ptr<Active> active);

  /// A read-only tree of `snapshot` (none: an empty directory). Errors: not_found, unavailable.
  [[nodiscard]] sdk::Result<std::unique_ptr<View>> view(std::optional<SnapshotId> snapshot);

  /// True when `snapshot` is committed and its directory is present.
  [[nodiscard]] bool exists(SnapshotId snapshot);

  /// The committed snapshot unpacked from the layer stack `chain_id`, if any.
  [[nodiscard]] std::optional<SnapshotId> find_chain(const std::string& chain_id);

  /// Applies a layer tar (any compression) from `source` on top of `parent` as a new committed
  /// snapshot tagged `chain_id`. When another build unpacked the same chain meanwhile, that one
  /// is returned and this one dropped. `verify`, when given, runs after the layer is applied and
  /// before the snapshot is committed: its error drops the snapshot (a layer that is not what its
  /// chain id says must never be found under it). Errors: invalid_argument (a hostile or broken
  /// layer), unavailable, and verify's.
  [[nodiscard]] sdk::Result<SnapshotId> unpack(std::optional<SnapshotId> parent, const std::string& chain_id,
                                               const ByteSource& source,
                                               const std::function<sdk::Status()>& verify = {});

  /// Writes what `snapshot` changed relative to its parent as an uncompressed layer tar.
  [[nodiscard]] sdk::Result<LayerStats> write_layer(SnapshotId snapshot, const ByteSink& out,
                                                    const LayerWriteOptions& options);

  /// `snapshot` and its ancestors, itself first. Errors: not_found.
  [[nodiscard]] sdk::Result<std::vector<SnapshotId>> chain(SnapshotId snapshot);

  /// Records the digest of `snapshot`'s uncompressed layer, and reads it back.
  [[nodiscard]] sdk::Status set_diff_id(SnapshotId snapshot, const std::string& diff_id);
  [[nodiscard]] std::optional<std::string> diff_id(SnapshotId snapshot);

  /// Removes a committed snapshot that no other snapshot is built on. Errors:
  /// failed_precondition (it has children), unavailable.
  [[nodiscard]] sdk::Status remove(SnapshotId snapshot);

  /// Removes the active snapshots of `session` (a dead process's), rows and directories.
  [[nodiscard]] sdk::Status cleanup_session(const std::string& session);

  /// The directory holding `snapshot`'s files (its diff for overlay, its tree for copy).
  [[nodiscard]] std::filesystem::path dir_of(SnapshotId snapshot) const;

 private:
  friend class Active;
  void abort(Active& active);
  [[nodiscard]] std::filesystem::path next_mount_point();
  [[nodiscard]] sdk::Result<SnapshotId> insert_active(std::optional<SnapshotId> parent);
  [[nodiscard]] sdk::Result<std::unique_ptr<View>> mount_view(const std::vector<SnapshotId>& chain);

  db::Database& database_;
  std::filesystem::path state_root_;
  std::filesystem::path mounts_dir_;
  std::string session_;
  Driver driver_;
  std::atomic<std::uint64_t> next_mount_{0};
  std::mutex chains_mutex_;
  std::map<SnapshotId, std::vector<SnapshotId>> chains_;  // committed chains never change
};

}  // namespace dbuild::snapshot
