// sqlite_blob_locations.cpp: see sqlite_blob_locations.hpp.
#include "registry/sqlite_blob_locations.hpp"

#include <chrono>
#include <set>

#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/query.hpp"
#include "db/transaction.hpp"

namespace dbuild::registry {
namespace {

// A push waits at most this long for another process's write lock: the hint is not worth more.
constexpr std::chrono::milliseconds kLockWait{1000};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

sdk::Status upsert(db::Database& database, const BlobLocation& location, std::int64_t now) {
  auto ran = db::run(database, "recording a blob location",
                     "INSERT INTO blob_locations (digest, registry, repository, last_used) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT DO UPDATE SET last_used = max(last_used, ?4)",
                     location.digest.str(), location.registry, location.repository, now);
  return ran ? sdk::Status::ok() : ran.status();
}

sdk::Status trim_digest(db::Database& database, const std::string& digest, const std::string& registry,
                        std::int64_t keep) {
  auto ran = db::run(database, "forgetting old locations of a blob",
                     "DELETE FROM blob_locations WHERE digest = ?1 AND registry = ?2 AND repository NOT IN"
                     " (SELECT repository FROM blob_locations WHERE digest = ?1 AND registry = ?2"
                     "  ORDER BY last_used DESC, repository LIMIT ?3)",
                     digest, registry, keep);
  return ran ? sdk::Status::ok() : ran.status();
}

sdk::Status trim_total(db::Database& database, std::int64_t keep) {
  auto ran = db::run(database, "forgetting the least recently used blob locations",
                     "DELETE FROM blob_locations WHERE (digest, registry, repository) IN"
                     " (SELECT digest, registry, repository FROM blob_locations ORDER BY last_used, digest"
                     "  LIMIT max((SELECT count(*) FROM blob_locations) - ?1, 0))",
                     keep);
  return ran ? sdk::Status::ok() : ran.status();
}

}  // namespace

SqliteBlobLocations::SqliteBlobLocations(std::filesystem::path database_path, Debug debug, Limits limits, Clock clock)
    : path_(std::move(database_path)), debug_(std::move(debug)), limits_(limits), clock_(std::move(clock)) {
  if (!clock_) clock_ = unix_now;
}

SqliteBlobLocations::~SqliteBlobLocations() = default;

void SqliteBlobLocations::report(const std::string& message) {
  if (debug_) debug_("blob locations (" + path_.string() + "): " + message);
}

db::Database* SqliteBlobLocations::database() {
  std::lock_guard lock(mutex_);
  if (database_ || open_failed_) return database_.get();
  auto opened = db::Database::open(path_, db::Mode::ReadWrite);
  sdk::Status status = opened ? sdk::Status::ok() : opened.status();
  if (opened) {
    (*opened)->set_busy_timeout(kLockWait);
    status = db::migrate(**opened);
  }
  if (!status) {
    open_failed_ = true;
    report(status.to_string());
    return nullptr;
  }
  database_ = std::move(*opened);
  return database_.get();
}

std::vector<std::string> SqliteBlobLocations::find(const std::string& registry, const sdk::Digest& digest) {
  std::vector<std::string> repositories;
  auto* database = this->database();
  if (!database) return repositories;
  auto status = db::for_each_row(
      *database, "finding where a blob was seen",
      "SELECT repository FROM blob_locations WHERE digest = ?1 AND registry = ?2 ORDER BY last_used DESC",
      [&](const db::Statement& row) {
        repositories.push_back(row.column_text(0));
        return sdk::Status::ok();
      },
      digest.str(), registry);
  if (!status) {
    report(status.to_string());
    return {};
  }
  return repositories;
}

void SqliteBlobLocations::record(std::span<const BlobLocation> locations) {
  if (locations.empty()) return;
  auto* database = this->database();
  if (!database) return;
  const auto now = clock_();
  auto work = [&]() -> sdk::Status {
    std::set<std::pair<std::string, std::string>> touched;  // (digest, registry)
    for (const auto& location : locations) {
      if (auto status = upsert(*database, location, now); !status) return status;
      touched.emplace(location.digest.str(), location.registry);
    }
    for (const auto& [digest, registry] : touched)
      if (auto status = trim_digest(*database, digest, registry, static_cast<std::int64_t>(limits_.max_per_digest));
          !status)
        return status;
    return trim_total(*database, static_cast<std::int64_t>(limits_.max_rows));
  };
  db::RetryPolicy retry;
  retry.attempts = 2;
  if (auto status = db::run_in_transaction(*database, "recording blob locations", work, retry); !status)
    report(status.to_string());
}

}  // namespace dbuild::registry
