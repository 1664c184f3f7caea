// sqlite_cache_store.cpp: cache_records reads and writes.
#include "solver/sqlite_cache_store.hpp"

#include <chrono>

#include "db/database.hpp"
#include "db/statement.hpp"

namespace dbuild::solver {
namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

sdk::Result<std::optional<VertexResult>> SqliteCacheStore::lookup(const std::string& key) {
  auto statement = database_.prepare("looking up the build cache",
                                     "UPDATE cache_records SET last_used = ?2 WHERE cache_key = ?1 RETURNING snapshot");
  if (!statement) return statement.status();
  if (auto bound = statement->bind_all(key, now_seconds()); !bound) return bound;
  auto step = statement->step();
  if (!step) return step.status();
  if (*step == db::Statement::Step::Done) return std::optional<VertexResult>();
  VertexResult result;
  if (!statement->column_is_null(0)) result.snapshot = statement->column_int64(0);
  statement->reset();
  return std::optional<VertexResult>(result);
}

sdk::Status SqliteCacheStore::record(const std::string& key, const VertexResult& result) {
  if (result.is_local()) return sdk::Status::ok();  // local sources are read in place, never cached
  auto statement = database_.prepare("recording a build cache result",
                                     "INSERT INTO cache_records (cache_key, snapshot, created, last_used)"
                                     " VALUES (?1, ?2, ?3, ?3) ON CONFLICT (cache_key) DO UPDATE"
                                     " SET snapshot = ?2, last_used = ?3");
  if (!statement) return statement.status();
  auto bound = statement->bind_text(1, key);
  if (bound) bound = result.snapshot ? statement->bind_int64(2, *result.snapshot) : statement->bind_null(2);
  if (bound) bound = statement->bind_int64(3, now_seconds());
  if (!bound) return bound;
  auto ran = statement->run();
  return ran ? sdk::Status::ok() : ran.status();
}

}  // namespace dbuild::solver
