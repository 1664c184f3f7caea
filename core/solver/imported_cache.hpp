// imported_cache.hpp: cache records brought from elsewhere (--cache-from), which the solver asks
// when its own store has nothing for a key. Telling whether a step is satisfied costs nothing;
// only a result that is actually needed (the output, or an input of a step that runs) is made
// local, by fetching and unpacking the layers this machine lacks.
#pragma once

#include <string>

#include <dbuild/sdk/status.hpp>

#include "solver/worker.hpp"

namespace dbuild::solver {

class ImportedCache {
 public:
  virtual ~ImportedCache() = default;

  /// True when an imported record holds a result for `key`. Reads no layer.
  [[nodiscard]] virtual bool has_result(const std::string& key) = 0;

  /// True when an imported record names `key`, with or without a result: a step the output
  /// needs only through a cached step is then shown cached, as the exporting build had it.
  [[nodiscard]] virtual bool knows(const std::string& key) = 0;

  /// The result of `key` as a local snapshot: its layers are fetched (those this machine lacks)
  /// and unpacked, with progress reported on `context`'s step. Errors: not_found (no result),
  /// invalid_argument (a blob that does not match its digest), unavailable, cancelled. The
  /// solver then runs the step instead.
  [[nodiscard]] virtual sdk::Result<VertexResult> realize(const std::string& key, const VertexContext& context) = 0;
};

}  // namespace dbuild::solver
