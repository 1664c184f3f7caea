// local_content_store_gc.cpp: garbage collection and ingest cleanup.
//
// The race that matters: a writer publishing blob X (or adding a reference to it) while GC
// decides X is garbage. Both sides run under the database's write lock (BEGIN IMMEDIATE):
// publish() records the row, its lease entry and renames the file inside one transaction, and
// GC selects garbage, deletes the rows and unlinks the files inside one transaction. So GC sees
// X either not yet published (no row, and no file either) or published with its lease or
// reference; and a writer never sees X's row or file half-deleted. Files are unlinked before
// COMMIT: after it, a writer could publish X again and GC would unlink the new file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "content/local_content_store.hpp"
#include "db/database.hpp"
#include "db/query.hpp"
#include "db/transaction.hpp"

namespace dbuild::content {

namespace fs = std::filesystem;
using sdk::Digest;
using sdk::Result;
using sdk::Status;

namespace {

// Small enough that writers waiting on the lock wait milliseconds, not the busy timeout.
constexpr int kBatchSize = 256;

bool is_sha256_hex(const std::string& name) {
  if (name.size() != 64) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Names of the regular files in `directory`, without exceptions.
Result<std::vector<std::string>> list_files(const fs::path& directory) {
  std::vector<std::string> names;
  std::error_code error;
  fs::directory_iterator it(directory, error);
  for (; !error && it != fs::directory_iterator(); it.increment(error)) {
    std::error_code type_error;
    if (it->is_regular_file(type_error)) names.push_back(it->path().filename().string());
  }
  if (error) return errno_status(error.value(), "listing", directory);
  return names;
}

// A lease's owner is alive while it holds the lock file's flock. Any doubt (an unexpected
// error) counts as alive: keeping garbage a little longer is harmless, deleting a blob is not.
bool lock_held(const fs::path& lock_path) {
  UniqueFd fd(::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return errno != ENOENT;
  auto locked = try_lock_exclusive(fd.get(), lock_path);
  return !locked || !*locked;
}

Status unlink_if_present(const fs::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_status(errno, "removing", path);
  return Status::ok();
}

}  // namespace

Result<GcResult> LocalContentStore::garbage_collect(const GcOptions& options) {
  GcResult result;
  auto expired = expire_leases();
  if (!expired) return expired.status().with_context("collecting garbage");
  result.leases_expired = *expired;
  for (;;) {
    auto more = collect_batch(options, result);
    if (!more) return more.status().with_context("collecting garbage");
    if (!*more) break;
  }
  if (auto status = sweep_files(result); !status) return status.with_context("collecting garbage");
  if (auto status = sweep_lease_files(); !status) return status.with_context("collecting garbage");
  return result;
}

// Liveness is judged before the transaction: a lease found dead stays dead (its owner is gone
// or its time is up), and one created meanwhile is not on the list, so it is left alone.
Result<std::int64_t> LocalContentStore::expire_leases() {
  const std::int64_t now = now_seconds();
  std::vector<std::string> dead;
  auto listed = db::for_each_row(database_, "listing leases", "SELECT id, expires FROM leases",
                                 [&](const db::Statement& row) -> Status {
                                   std::string id = row.column_text(0);
                                   const bool timed_out = !row.column_is_null(1) && row.column_int64(1) <= now;
                                   if (timed_out || !lock_held(lease_lock_path(id))) dead.push_back(std::move(id));
                                   return Status::ok();
                                 });
  if (!listed) return listed;
  std::int64_t removed = 0;
  auto status = db::run_in_transaction(database_, "expiring leases", [&]() -> Status {
    removed = 0;
    for (const auto& id : dead) {
      auto deleted = db::run(database_, "deleting a lease", "DELETE FROM leases WHERE id = ?", id);
      if (!deleted) return deleted.status();
      removed += *deleted;
    }
    return Status::ok();
  });
  if (!status) return status;
  for (const auto& id : dead) ::unlink(lease_lock_path(id).c_str());
  return removed;
}

// One transaction: select up to kBatchSize garbage blobs, delete their rows, unlink their
// files. Returns whether there may be more.
Result<bool> LocalContentStore::collect_batch(const GcOptions& options, GcResult& result) {
  std::vector<std::pair<Digest, std::int64_t>> batch;
  std::size_t selected = 0;
  auto status = db::run_in_transaction(database_, "deleting unreferenced blobs", [&]() -> Status {
    batch.clear();
    // No cutoff is the largest cutoff: every last_used is older.
    const std::int64_t cutoff =
        options.unused_since ? unix_seconds(*options.unused_since) : std::numeric_limits<std::int64_t>::max();
    std::vector<std::pair<std::string, std::int64_t>> rows;
    auto found = db::for_each_row(
        database_, "finding unreferenced blobs",
        "SELECT digest, size FROM blobs b "
        "WHERE NOT EXISTS (SELECT 1 FROM blob_refs r WHERE r.digest = b.digest) "
        "AND NOT EXISTS (SELECT 1 FROM lease_blobs l WHERE l.digest = b.digest) "
        "AND b.last_used < ? ORDER BY digest LIMIT ?",
        [&](const db::Statement& row) -> Status {
          rows.emplace_back(row.column_text(0), row.column_int64(1));
          return Status::ok();
        },
        cutoff, kBatchSize);
    if (!found) return found;
    selected = rows.size();
    for (auto& [text, size] : rows) {
      auto deleted = db::run(database_, "deleting the blob's record", "DELETE FROM blobs WHERE digest = ?", text);
      if (!deleted) return deleted.status();
      auto digest = Digest::parse(text);
      if (!digest) continue;  // a record no writer of ours made: nothing on disk to remove
      if (auto removed = unlink_if_present(blob_path(*digest)); !removed) return removed;
      batch.emplace_back(std::move(*digest), size);
    }
    return Status::ok();
  });
  if (!status) return status;
  for (auto& [digest, size] : batch) {
    result.bytes_removed += size;
    result.removed.push_back(std::move(digest));
  }
  return selected == static_cast<std::size_t>(kBatchSize);
}

// Files without rows (a writer killed between rename and COMMIT) and rows without files (a file
// deleted by hand). The directory is listed outside the lock, and every verdict re-checked
// inside it, against rows that a writer may have added meanwhile.
Status LocalContentStore::sweep_files(GcResult& result) {
  auto names = list_files(blobs_dir_);
  if (!names) return names.status();
  const std::set<std::string> files(names->begin(), names->end());
  std::int64_t orphans = 0;
  std::vector<Digest> missing;
  auto status = db::run_in_transaction(database_, "reconciling blob files with their records", [&]() -> Status {
    orphans = 0;
    missing.clear();
    std::set<std::string> rows;
    auto listed =
        db::for_each_row(database_, "listing blobs", "SELECT substr(digest, 8) FROM blobs WHERE digest LIKE 'sha256:%'",
                         [&](const db::Statement& row) -> Status {
                           rows.insert(row.column_text(0));
                           return Status::ok();
                         });
    if (!listed) return listed;
    for (const auto& name : files) {
      if (!is_sha256_hex(name) || rows.contains(name)) continue;
      if (::unlink((blobs_dir_ / name).c_str()) == 0)
        ++orphans;
      else if (errno != ENOENT)
        return errno_status(errno, "removing", blobs_dir_ / name);
    }
    for (const auto& hex : rows) {
      struct stat info {};
      if (files.contains(hex) || ::lstat((blobs_dir_ / hex).c_str(), &info) == 0) continue;
      auto digest = Digest::parse("sha256:" + hex);
      auto deleted =
          db::run(database_, "dropping a record without a file", "DELETE FROM blobs WHERE digest = ?", "sha256:" + hex);
      if (!deleted) return deleted.status();
      if (digest) missing.push_back(std::move(*digest));
    }
    return Status::ok();
  });
  if (!status) return status;
  result.orphan_files_removed = orphans;
  result.missing = std::move(missing);
  return Status::ok();
}

// Lock files left without a row: a lease released by a process killed between its DELETE and
// its unlink, or one whose INSERT failed. A lease being created holds its lock before its row
// exists, so an unlocked file without a row is never a live lease.
Status LocalContentStore::sweep_lease_files() {
  auto names = list_files(leases_dir_);
  if (!names) return names.status();
  std::set<std::string> ids;
  auto listed =
      db::for_each_row(database_, "listing leases", "SELECT id FROM leases", [&](const db::Statement& row) -> Status {
        ids.insert(row.column_text(0));
        return Status::ok();
      });
  if (!listed) return listed;
  for (const auto& name : *names) {
    if (!name.ends_with(".lock") || ids.contains(name.substr(0, name.size() - 5))) continue;
    const auto path = leases_dir_ / name;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) continue;
    auto locked = try_lock_exclusive(fd.get(), path);
    if (locked && *locked && same_file(fd.get(), path)) ::unlink(path.c_str());
  }
  return Status::ok();
}

// A live writer holds an flock on its ingest file; a killed one's lock died with it.
Result<std::int64_t> LocalContentStore::cleanup_ingest(std::chrono::seconds older_than) {
  const auto cutoff = clock_.now() - older_than;
  auto names = list_files(ingest_dir_);
  if (!names) return names.status().with_context("cleaning up ingest files");
  std::int64_t removed = 0;
  for (const auto& name : *names) {
    const auto path = ingest_dir_ / name;
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    const auto modified =
        std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(info.st_mtim.tv_sec) + std::chrono::nanoseconds(info.st_mtim.tv_nsec)));
    if (modified >= cutoff) continue;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) continue;
    auto locked = try_lock_exclusive(fd.get(), path);
    if (!locked || !*locked || !same_file(fd.get(), path)) continue;
    if (::unlink(path.c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace dbuild::content
