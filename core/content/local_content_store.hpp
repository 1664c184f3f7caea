// local_content_store.hpp: the content store on local disk: blob files in OCI layout under
// `<root>/content/blobs/sha256/`, and their references and leases in the state database, which
// garbage collection reads to decide what it may delete.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/content_store.hpp>

#include "content/clock.hpp"
#include "content/lease.hpp"

namespace dbuild::db {
class Database;
}

namespace dbuild::content {

/// Who holds a reference: ("image", "docker.io/library/app:1"), ("snapshot", "42"), ...
struct Owner {
  std::string kind;
  std::string id;
};

struct Usage {
  std::int64_t blobs = 0;
  std::int64_t bytes = 0;
  std::int64_t referenced_blobs = 0;
  std::int64_t referenced_bytes = 0;
  std::int64_t unreferenced_blobs = 0;  // leased ones included: they become garbage after the lease
  std::int64_t unreferenced_bytes = 0;
};

struct GcOptions {
  /// Only delete blobs whose last use (write, touch) is older than this; nullopt: any age.
  std::optional<std::chrono::system_clock::time_point> unused_since;
};

struct GcResult {
  std::vector<sdk::Digest> removed;  // unreferenced, unleased blobs deleted (row and file)
  std::int64_t bytes_removed = 0;
  std::int64_t orphan_files_removed = 0;  // blob files without a row (a writer that crashed)
  std::vector<sdk::Digest> missing;       // rows whose file was gone: dropped with their references
  std::int64_t leases_expired = 0;        // leases of dead processes, or past their expiry
};

/// Thread-safe, and safe against other processes using the same root: writers and GC serialize
/// on the database's write lock where it matters (see local_content_store_gc.cpp).
class LocalContentStore final : public sdk::ContentStore {
 public:
  /// Uses `<root>/content/` (created when missing) and `database`, which must be migrated
  /// (db::migrate) and outlive the store. Errors: failed_precondition (database not migrated),
  /// permission_denied, unavailable.
  [[nodiscard]] static sdk::Result<std::unique_ptr<LocalContentStore>> open(const std::filesystem::path& root,
                                                                            db::Database& database, Clock& clock);

  // sdk::ContentStore. Blobs written through these carry no lease: until someone references
  // them, a GC may delete them. Builds write through LeasedContentStore instead.
  [[nodiscard]] sdk::Result<sdk::Digest> write(std::string_view data,
                                               std::optional<sdk::Digest> expected = std::nullopt) override;
  [[nodiscard]] sdk::Result<std::unique_ptr<sdk::BlobWriter>> writer() override;
  [[nodiscard]] bool exists(const sdk::Digest& digest) override;
  [[nodiscard]] sdk::Result<std::int64_t> size(const sdk::Digest& digest) override;
  [[nodiscard]] sdk::Result<std::string> read(const sdk::Digest& digest) override;
  [[nodiscard]] sdk::Result<std::filesystem::path> path(const sdk::Digest& digest) override;

  /// As write() and writer(), and the blob joins `lease` in the same transaction that makes it
  /// visible, so no GC can see it unprotected. Errors as write(), and failed_precondition when
  /// the lease has ended (released, or expired by GC).
  [[nodiscard]] sdk::Result<sdk::Digest> write_with_lease(const Lease& lease, std::string_view data,
                                                          std::optional<sdk::Digest> expected = std::nullopt);
  [[nodiscard]] sdk::Result<std::unique_ptr<sdk::BlobWriter>> writer_with_lease(const Lease& lease);

  /// Starts a lease owned by this process. Errors: unavailable.
  [[nodiscard]] sdk::Result<Lease> create_lease(const LeaseOptions& options = {});
  /// Protects an already stored blob (a cache hit the build will use). Errors: not_found (no
  /// such blob), failed_precondition (the lease has ended).
  [[nodiscard]] sdk::Status add_to_lease(const Lease& lease, const sdk::Digest& digest);

  /// Records that `owner` needs `digest`; adding it twice is harmless. Errors: not_found (the
  /// blob is not stored), invalid_argument (empty owner kind or id).
  [[nodiscard]] sdk::Status add_reference(const Owner& owner, const sdk::Digest& digest);
  /// Removing a reference that does not exist is not an error.
  [[nodiscard]] sdk::Status remove_reference(const Owner& owner, const sdk::Digest& digest);
  /// Removes all of `owner`'s references (an image deleted); returns how many there were.
  [[nodiscard]] sdk::Result<std::int64_t> remove_references(const Owner& owner);
  /// The blobs `owner` references, in digest order.
  [[nodiscard]] sdk::Result<std::vector<sdk::Digest>> references(const Owner& owner);

  /// Marks the blob used now (GcOptions::unused_since). Errors: not_found.
  [[nodiscard]] sdk::Status touch(const sdk::Digest& digest);

  [[nodiscard]] sdk::Result<Usage> usage();

  /// Deletes blobs that nobody references or leases (and, with `unused_since`, that are old
  /// enough), blob files without a row, and rows without a file. Never deletes a blob that is
  /// referenced or leased when GC looks, even if another process adds the reference meanwhile.
  [[nodiscard]] sdk::Result<GcResult> garbage_collect(const GcOptions& options = {});

  /// Deletes ingest files older than `older_than` that no live writer holds (left by a killed
  /// process). Returns how many it deleted.
  [[nodiscard]] sdk::Result<std::int64_t> cleanup_ingest(std::chrono::seconds older_than);

  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }
  /// Where the blob's file is or would be: `<root>/content/blobs/<algorithm>/<hex>`.
  [[nodiscard]] std::filesystem::path blob_path(const sdk::Digest& digest) const;

 private:
  friend class LocalBlobWriter;
  friend class Lease;

  LocalContentStore(std::filesystem::path root, db::Database& database, Clock& clock);

  [[nodiscard]] sdk::Result<std::unique_ptr<sdk::BlobWriter>> make_writer(std::optional<std::string> lease_id);
  [[nodiscard]] sdk::Result<sdk::Digest> store_bytes(std::string_view data, std::optional<sdk::Digest> expected,
                                                     std::optional<std::string> lease_id);
  /// Makes a verified, fsynced ingest file the blob `digest` (see local_content_store.cpp).
  [[nodiscard]] sdk::Status publish(const std::filesystem::path& ingest_file, const sdk::Digest& digest,
                                    std::int64_t size, const std::optional<std::string>& lease_id);
  [[nodiscard]] sdk::Status release_lease(const std::string& id);
  [[nodiscard]] std::filesystem::path lease_lock_path(const std::string& id) const;
  [[nodiscard]] std::int64_t now_seconds() { return unix_seconds(clock_.now()); }

  // Garbage collection, in local_content_store_gc.cpp.
  [[nodiscard]] sdk::Result<std::int64_t> expire_leases();
  [[nodiscard]] sdk::Result<bool> collect_batch(const GcOptions& options, GcResult& result);
  [[nodiscard]] sdk::Status sweep_files(GcResult& result);
  [[nodiscard]] sdk::Status sweep_lease_files();

  std::filesystem::path root_;
  std::filesystem::path blobs_dir_;   // <root>/content/blobs/sha256
  std::filesystem::path ingest_dir_;  // <root>/content/ingest
  std::filesystem::path leases_dir_;  // <root>/content/leases
  db::Database& database_;
  Clock& clock_;
};

/// The store as a build sees it: everything it writes joins `lease`. The engine hands one to
/// each build's plugins. Both `store` and `lease` must outlive it.
class LeasedContentStore final : public sdk::ContentStore {
 public:
  LeasedContentStore(LocalContentStore& store, const Lease& lease) : store_(store), lease_(lease) {}

  [[nodiscard]] sdk::Result<sdk::Digest> write(std::string_view data,
                                               std::optional<sdk::Digest> expected = std::nullopt) override {
    return store_.write_with_lease(lease_, data, std::move(expected));
  }
  [[nodiscard]] sdk::Result<std::unique_ptr<sdk::BlobWriter>> writer() override {
    return store_.writer_with_lease(lease_);
  }
  [[nodiscard]] bool exists(const sdk::Digest& digest) override { return store_.exists(digest); }
  [[nodiscard]] sdk::Result<std::int64_t> size(const sdk::Digest& digest) override { return store_.size(digest); }
  [[nodiscard]] sdk::Result<std::string> read(const sdk::Digest& digest) override { return store_.read(digest); }
  /// Also adds the blob to the lease, so that the file stays while the build streams it.
  [[nodiscard]] sdk::Result<std::filesystem::path> path(const sdk::Digest& digest) override {
    if (auto status = store_.add_to_lease(lease_, digest); !status) return status;
    return store_.path(digest);
  }

 private:
  LocalContentStore& store_;
  const Lease& lease_;
};

}  // namespace dbuild::content
