// sqlite_cache_store.hpp: the solver's cache records in the state database (cache_records),
// shared by every build on the same state root.
#pragma once

#include "solver/cache_store.hpp"

namespace dbuild::db {
class Database;
}

namespace dbuild::solver {

class SqliteCacheStore final : public CacheStore {
 public:
  explicit SqliteCacheStore(db::Database& database) : database_(database) {}

  /// A hit also marks the record used now, which `prune --keep-storage` orders by.
  [[nodiscard]] sdk::Result<std::optional<VertexResult>> lookup(const std::string& key) override;
  [[nodiscard]] sdk::Status record(const std::string& key, const VertexResult& result) override;

 private:
  db::Database& database_;
};

}  // namespace dbuild::solver
