// prune.cpp: disk usage and pruning of build cache. A build holds a shared lock on
// <root>/gc.lock while it runs and prune takes it exclusively, so prune never removes what a
// running build uses; stored images hold references on their blobs, so GC keeps those.
#include <chrono>
#include <map>
#include <vector>

#include "db/statement.hpp"
#include "engine/parts.hpp"

namespace dbuild::engine {
namespace {

struct SnapshotRow {
  snapshot::SnapshotId id = 0;
  std::optional<snapshot::SnapshotId> parent;
  bool from_image = false;  // an unpacked base image layer
  std::int64_t size = 0;
  std::int64_t last_used = 0;
};

sdk::Result<std::vector<SnapshotRow>> committed_snapshots(db::Database& database) {
  auto statement = database.prepare(
      "listing snapshots",
      "SELECT s.id, s.parent, s.chain_id IS NOT NULL, s.size,"
      " max(s.last_used, coalesce((SELECT max(c.last_used) FROM cache_records c WHERE c.snapshot = s.id), 0))"
      " FROM snapshots s WHERE s.state = 'committed'");
  if (!statement) return statement.status();
  std::vector<SnapshotRow> rows;
  while (true) {
    auto step = statement->step();
    if (!step) return step.status();
    if (*step == db::Statement::Step::Done) break;
    SnapshotRow row;
    row.id = statement->column_int64(0);
    if (!statement->column_is_null(1)) row.parent = statement->column_int64(1);
    row.from_image = statement->column_int64(2) != 0;
    row.size = statement->column_int64(3);
    row.last_used = statement->column_int64(4);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

sdk::Result<sdk::DiskUsage> LocalEngine::disk_usage() {
  auto rows = committed_snapshots(*parts_->database);
  if (!rows) return rows.status();
  sdk::DiskUsage usage;
  for (const auto& row : *rows) {
    ++usage.snapshots;
    usage.snapshot_bytes += row.size;
  }
  usage.reclaimable_bytes = usage.snapshot_bytes;
  auto statement = parts_->database->prepare("counting cache records", "SELECT count(*) FROM cache_records");
  if (!statement) return statement.status();
  if (auto step = statement->step(); !step) return step.status();
  usage.cache_records = statement->column_int64(0);
  auto blobs = parts_->content->usage();
  if (!blobs) return blobs.status();
  usage.blobs = blobs->blobs;
  usage.blob_bytes = blobs->bytes;
  usage.reclaimable_bytes += blobs->unreferenced_bytes;
  return usage;
}

sdk::Result<sdk::PruneResult> LocalEngine::prune(const sdk::PruneOptions& options) {
  auto lock = os::FileLock::acquire(parts_->root / "gc.lock", os::LockMode::Exclusive, os::LockWait::Block);
  if (!lock) return lock.status();
  auto rows = committed_snapshots(*parts_->database);
  if (!rows) return rows.status();

  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  std::map<snapshot::SnapshotId, int> children;
  std::int64_t total = 0;
  for (const auto& row : *rows) {
    total += row.size;
    if (row.parent) ++children[*row.parent];
  }
  auto blob_usage = parts_->content->usage();
  if (blob_usage) total += blob_usage->bytes;
  auto eligible = [&](const SnapshotRow& row) {
    if (row.from_image && !options.all) return false;
    if (options.older_than && row.last_used > now - *options.older_than) return false;
    return true;
  };
  // Least recently used first, so that --keep-storage keeps what builds touched last.
  std::vector<SnapshotRow> order = *rows;
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.last_used < b.last_used; });

  sdk::PruneResult result;
  bool removed_any = true;
  while (removed_any) {  // removing a leaf can make its parent a leaf
    removed_any = false;
    for (auto& row : order) {
      if (row.id == 0 || children[row.id] > 0 || !eligible(row)) continue;
      if (options.keep_bytes && total <= *options.keep_bytes) break;
      if (auto status = parts_->snapshots->remove(row.id); !status) continue;
      ++result.removed_records;
      result.reclaimed_bytes += row.size;
      total -= row.size;
      if (row.parent) --children[*row.parent];
      row.id = 0;
      removed_any = true;
    }
  }
  auto collected = parts_->content->garbage_collect({});
  if (!collected) return collected.status();
  result.reclaimed_bytes += collected->bytes_removed;
  result.removed_records += static_cast<std::int64_t>(collected->removed.size());
  return result;
}

}  // namespace dbuild::engine
