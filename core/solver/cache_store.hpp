// cache_store.hpp: the solver's cache: cache key -> the result it produced. Backed by SQLite in
// production (sqlite_cache_store.hpp), by memory in tests.
#pragma once

#include <optional>
#include <string>

#include <dbuild/sdk/status.hpp>

#include "solver/worker.hpp"

namespace dbuild::solver {

class CacheStore {
 public:
  virtual ~CacheStore() = default;

  /// The result recorded for `key`, if any. Errors: unavailable (the store cannot be read; the
  /// solver then runs the op).
  [[nodiscard]] virtual sdk::Result<std::optional<VertexResult>> lookup(const std::string& key) = 0;

  /// Records that `key` produced `result`, replacing an earlier record. Errors: unavailable.
  [[nodiscard]] virtual sdk::Status record(const std::string& key, const VertexResult& result) = 0;
};

}  // namespace dbuild::solver
