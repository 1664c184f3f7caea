// local_content_store.cpp: opening the store, reads, publishing committed blobs, references,
// usage. Writers are in local_blob_writer.cpp, leases in lease.cpp, GC in
// local_content_store_gc.cpp.
#include "content/local_content_store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "db/database.hpp"
#include "db/query.hpp"
#include "db/transaction.hpp"

namespace dbuild::content {

namespace fs = std::filesystem;
using sdk::Digest;
using sdk::Result;
using sdk::Status;

namespace {

constexpr std::string_view kAlgorithm = "sha256";

Status not_stored(const Digest& digest) {
  return Status::not_found(fmt::format("blob {} is not in the content store", digest.str()));
}

Status check_owner(const Owner& owner) {
  if (owner.kind.empty() || owner.id.empty())
    return Status::invalid_argument(
        fmt::format("a reference owner needs a kind and an id (got \"{}\", \"{}\")", owner.kind, owner.id));
  return Status::ok();
}

Status check_schema(db::Database& database) {
  auto probe =
      database.prepare("checking the content tables", "SELECT 1 FROM blobs, blob_refs, leases, lease_blobs LIMIT 0");
  if (probe) return Status::ok();
  if (probe.status().code() != sdk::Code::InvalidArgument) return probe.status();
  return Status::failed_precondition(
             fmt::format("{} has no content tables: {}", database.path().string(), probe.status().message()))
      .with_hint("the database must be migrated (db::migrate) before the content store opens it");
}

}  // namespace

LocalContentStore::LocalContentStore(fs::path root, db::Database& database, Clock& clock)
    : root_(std::move(root)),
      blobs_dir_(root_ / "content" / "blobs" / std::string(kAlgorithm)),
      ingest_dir_(root_ / "content" / "ingest"),
      leases_dir_(root_ / "content" / "leases"),
      database_(database),
      clock_(clock) {}

Result<std::unique_ptr<LocalContentStore>> LocalContentStore::open(const fs::path& root, db::Database& database,
                                                                   Clock& clock) {
  std::unique_ptr<LocalContentStore> store(new LocalContentStore(root, database, clock));
  for (const auto& directory : {store->blobs_dir_, store->ingest_dir_, store->leases_dir_})
    if (auto status = make_directories(directory); !status) return status.with_context("opening the content store");
  if (auto status = check_schema(database); !status) return status.with_context("opening the content store");
  return store;
}

fs::path LocalContentStore::blob_path(const Digest& digest) const {
  return root_ / "content" / "blobs" / digest.algorithm() / digest.encoded();
}

bool LocalContentStore::exists(const Digest& digest) {
  if (digest.algorithm() != kAlgorithm) return false;
  struct stat info {};
  return ::stat(blob_path(digest).c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

Result<std::int64_t> LocalContentStore::size(const Digest& digest) {
  struct stat info {};
  if (digest.algorithm() != kAlgorithm || ::stat(blob_path(digest).c_str(), &info) != 0) return not_stored(digest);
  return static_cast<std::int64_t>(info.st_size);
}

Result<std::string> LocalContentStore::read(const Digest& digest) {
  if (digest.algorithm() != kAlgorithm) return not_stored(digest);
  auto content = read_file(blob_path(digest));
  if (!content && content.status().code() == sdk::Code::NotFound) return not_stored(digest);
  return content;
}

Result<fs::path> LocalContentStore::path(const Digest& digest) {
  if (!exists(digest)) return not_stored(digest);
  return blob_path(digest);
}

Result<Digest> LocalContentStore::write(std::string_view data, std::optional<Digest> expected) {
  return store_bytes(data, std::move(expected), std::nullopt);
}

Result<std::unique_ptr<sdk::BlobWriter>> LocalContentStore::writer() { return make_writer(std::nullopt); }

Result<Digest> LocalContentStore::write_with_lease(const Lease& lease, std::string_view data,
                                                   std::optional<Digest> expected) {
  return store_bytes(data, std::move(expected), lease.id());
}

Result<std::unique_ptr<sdk::BlobWriter>> LocalContentStore::writer_with_lease(const Lease& lease) {
  return make_writer(lease.id());
}

Result<Digest> LocalContentStore::store_bytes(std::string_view data, std::optional<Digest> expected,
                                              std::optional<std::string> lease_id) {
  auto writer = make_writer(std::move(lease_id));
  if (!writer) return writer.status();
  if (auto status = (*writer)->write(data.data(), data.size()); !status) return status;
  return (*writer)->commit(std::move(expected), static_cast<std::int64_t>(data.size()));
}

// The file moves into place inside the transaction that records the row, so while this
// transaction holds the database's write lock: GC deletes under the same lock, and therefore
// sees a blob's row and file appear together. A crash between rename and COMMIT leaves a file
// without a row, which GC deletes; never a row (or a reference) without its file.
Status LocalContentStore::publish(const fs::path& ingest_file, const Digest& digest, std::int64_t size,
                                  const std::optional<std::string>& lease_id) {
  const auto target = blob_path(digest);
  const std::string text = digest.str();
  return db::run_in_transaction(database_, fmt::format("storing blob {}", text), [&]() -> Status {
    if (lease_id) {
      auto lease = db::query_int64(database_, "checking the lease", "SELECT 1 FROM leases WHERE id = ?", *lease_id);
      if (!lease) return lease.status();
      if (!*lease)
        return Status::failed_precondition(fmt::format("lease {} has ended (released, or expired by GC)", *lease_id));
    }
    auto recorded = db::run(database_, "recording the blob",
                            "INSERT INTO blobs (digest, size, created, last_used) VALUES (?1, ?2, ?3, ?3) "
                            "ON CONFLICT (digest) DO UPDATE SET last_used = excluded.last_used",
                            text, size, now_seconds());
    if (!recorded) return recorded.status();
    if (lease_id) {
      auto leased = db::run(database_, "adding the blob to the lease",
                            "INSERT OR IGNORE INTO lease_blobs (lease_id, digest) VALUES (?, ?)", *lease_id, text);
      if (!leased) return leased.status();
    }
    struct stat info {};
    if (::lstat(target.c_str(), &info) == 0) {
      // Already stored (or stored by an earlier attempt of this very transaction): same bytes.
      if (::unlink(ingest_file.c_str()) != 0 && errno != ENOENT) return errno_status(errno, "removing", ingest_file);
      return Status::ok();
    }
    if (::rename(ingest_file.c_str(), target.c_str()) != 0)
      return errno_status(errno, "moving into place", ingest_file);
    return fsync_directory(blobs_dir_);
  });
}

Status LocalContentStore::add_reference(const Owner& owner, const Digest& digest) {
  if (auto status = check_owner(owner); !status) return status;
  const std::string text = digest.str();
  return db::run_in_transaction(
      database_, fmt::format("adding a reference from {} {} to {}", owner.kind, owner.id, text), [&]() -> Status {
        auto row = db::query_int64(database_, "finding the blob", "SELECT 1 FROM blobs WHERE digest = ?", text);
        if (!row) return row.status();
        if (!*row || !exists(digest)) return not_stored(digest);
        auto added = db::run(database_, "recording the reference",
                             "INSERT INTO blob_refs (owner_kind, owner_id, digest, created) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT DO NOTHING",
                             owner.kind, owner.id, text, now_seconds());
        return added ? Status::ok() : added.status();
      });
}

Status LocalContentStore::remove_reference(const Owner& owner, const Digest& digest) {
  auto removed = db::run(
      database_, fmt::format("removing the reference from {} {} to {}", owner.kind, owner.id, digest.str()),
      "DELETE FROM blob_refs WHERE owner_kind = ? AND owner_id = ? AND digest = ?", owner.kind, owner.id, digest.str());
  return removed ? Status::ok() : removed.status();
}

Result<std::int64_t> LocalContentStore::remove_references(const Owner& owner) {
  return db::run(database_, fmt::format("removing the references of {} {}", owner.kind, owner.id),
                 "DELETE FROM blob_refs WHERE owner_kind = ? AND owner_id = ?", owner.kind, owner.id);
}

Result<std::vector<Digest>> LocalContentStore::references(const Owner& owner) {
  std::vector<Digest> digests;
  auto status = db::for_each_row(
      database_, fmt::format("listing the references of {} {}", owner.kind, owner.id),
      "SELECT digest FROM blob_refs WHERE owner_kind = ? AND owner_id = ? ORDER BY digest",
      [&](const db::Statement& row) -> Status {
        auto digest = Digest::parse(row.column_text(0));
        if (!digest) return digest.status();
        digests.push_back(std::move(*digest));
        return Status::ok();
      },
      owner.kind, owner.id);
  if (!status) return status;
  return digests;
}

Status LocalContentStore::touch(const Digest& digest) {
  auto changed = db::run(database_, fmt::format("marking {} used", digest.str()),
                         "UPDATE blobs SET last_used = ? WHERE digest = ?", now_seconds(), digest.str());
  if (!changed) return changed.status();
  return *changed == 0 ? not_stored(digest) : Status::ok();
}

Result<Usage> LocalContentStore::usage() {
  Usage usage;
  auto status =
      db::for_each_row(database_, "measuring the content store",
                       "SELECT EXISTS (SELECT 1 FROM blob_refs r WHERE r.digest = b.digest) AS referenced, count(*), "
                       "coalesce(sum(size), 0) FROM blobs b GROUP BY referenced",
                       [&](const db::Statement& row) -> Status {
                         auto& blobs = row.column_int64(0) ? usage.referenced_blobs : usage.unreferenced_blobs;
                         auto& bytes = row.column_int64(0) ? usage.referenced_bytes : usage.unreferenced_bytes;
                         blobs = row.column_int64(1);
                         bytes = row.column_int64(2);
                         return Status::ok();
                       });
  if (!status) return status;
  usage.blobs = usage.referenced_blobs + usage.unreferenced_blobs;
  usage.bytes = usage.referenced_bytes + usage.unreferenced_bytes;
  return usage;
}

}  // namespace dbuild::content
