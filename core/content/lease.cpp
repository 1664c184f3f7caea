// lease.cpp: creating, extending and releasing leases. A lease is a row (for GC's queries) plus
// a locked file (for liveness): the row alone could not tell a live owner from a dead one.
#include "content/lease.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "content/local_content_store.hpp"
#include "content/sha256.hpp"
#include "db/database.hpp"
#include "db/query.hpp"
#include "db/transaction.hpp"

namespace dbuild::content {

namespace fs = std::filesystem;
using sdk::Result;
using sdk::Status;

Lease::Lease(LocalContentStore& store, std::string id, UniqueFd lock)
    : store_(&store), id_(std::move(id)), lock_(std::move(lock)) {}

Lease::Lease(Lease&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)), id_(std::move(other.id_)), lock_(std::move(other.lock_)) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this == &other) return *this;
  (void)release();
  store_ = std::exchange(other.store_, nullptr);
  id_ = std::move(other.id_);
  lock_ = std::move(other.lock_);
  return *this;
}

Lease::~Lease() { (void)release(); }

Status Lease::release() {
  if (store_ == nullptr || !lock_.valid()) return Status::ok();
  // Row first, then the lock file: a GC that finds the file unlocked and no row just deletes the
  // file; one that finds the row still finds the file locked.
  auto status = store_->release_lease(id_);
  ::unlink(store_->lease_lock_path(id_).c_str());
  lock_.reset();
  return status;
}

fs::path LocalContentStore::lease_lock_path(const std::string& id) const { return leases_dir_ / (id + ".lock"); }

// The lock is held before the row exists and until after it is gone, so GC never sees a row of
// a live lease with an unlocked file.
Result<Lease> LocalContentStore::create_lease(const LeaseOptions& options) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string id = random_hex(16);
    const auto lock_path = lease_lock_path(id);
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!lock.valid()) {
      if (errno == EEXIST) continue;
      return errno_status(errno, "creating lease file", lock_path).with_context("creating a lease");
    }
    auto locked = try_lock_exclusive(lock.get(), lock_path);
    if (!locked) return locked.status().with_context("creating a lease");
    if (!*locked || !same_file(lock.get(), lock_path)) continue;  // GC swept it as a stray file
    const std::int64_t now = now_seconds();
    auto status = db::run_in_transaction(database_, "creating a lease", [&]() -> Status {
      auto statement = database_.prepare("recording the lease",
                                         "INSERT INTO leases (id, pid, created, expires) VALUES (?, ?, ?, ?)");
      if (!statement) return statement.status();
      if (auto bound = statement->bind_all(id, static_cast<std::int64_t>(::getpid()), now); !bound) return bound;
      auto bound = options.expires_after ? statement->bind_int64(4, now + options.expires_after->count())
                                         : statement->bind_null(4);
      if (!bound) return bound;
      auto inserted = statement->run();
      return inserted ? Status::ok() : inserted.status();
    });
    if (!status) {
      ::unlink(lock_path.c_str());
      return status;
    }
    return Lease(*this, std::move(id), std::move(lock));
  }
  return Status::unavailable(fmt::format("could not create a unique lease file in {}", leases_dir_.string()));
}

Status LocalContentStore::add_to_lease(const Lease& lease, const sdk::Digest& digest) {
  const std::string text = digest.str();
  return db::run_in_transaction(database_, fmt::format("adding {} to lease {}", text, lease.id()), [&]() -> Status {
    auto live = db::query_int64(database_, "checking the lease", "SELECT 1 FROM leases WHERE id = ?", lease.id());
    if (!live) return live.status();
    if (!*live)
      return Status::failed_precondition(fmt::format("lease {} has ended (released, or expired by GC)", lease.id()));
    auto row = db::query_int64(database_, "finding the blob", "SELECT 1 FROM blobs WHERE digest = ?", text);
    if (!row) return row.status();
    if (!*row || !exists(digest)) return Status::not_found(fmt::format("blob {} is not in the content store", text));
    auto added = db::run(database_, "adding the blob to the lease",
                         "INSERT OR IGNORE INTO lease_blobs (lease_id, digest) VALUES (?, ?)", lease.id(), text);
    return added ? Status::ok() : added.status();
  });
}

Status LocalContentStore::release_lease(const std::string& id) {
  auto removed = db::run(database_, fmt::format("releasing lease {}", id), "DELETE FROM leases WHERE id = ?", id);
  return removed ? Status::ok() : removed.status();
}

}  // namespace dbuild::content
