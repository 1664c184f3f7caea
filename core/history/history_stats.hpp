// history_stats.hpp: the numbers of `dbuild history stats`, computed with SQL over the documented
// views through the read-only HistoryReader: builds per status, the median and 95th percentile
// of completed builds' durations, the cache-hit ratio, and the steps that miss the cache most.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::history {

class HistoryReader;

/// A step, identified across builds as `history why` does: by stage and position when its name
/// has them ("[build 2/4] RUN make"), else by name; `name` is the latest build's.
struct MissedStep {
  std::string stage;
  int position = 0;  // 0: identified by name
  std::string name;
  int misses = 0;  // builds in which it ran
  int runs = 0;    // builds in which it ran or came from the cache
};

struct HistoryStats {
  double since_seconds = 0;  // builds started at or after this (seconds since the epoch; 0: all)
  int builds = 0;
  std::vector<std::pair<std::string, int>> builds_by_status;  // most frequent first
  int completed = 0;
  std::optional<double> median_seconds;  // of completed builds; the mean of the middle two for an even count
  std::optional<double> p95_seconds;     // nearest rank: the ceil(0.95 n)-th shortest
  int cached_steps = 0;                  // steps that came from the cache
  int computed_steps = 0;                // steps that ran (state done)
  std::vector<MissedStep> most_missed;

  /// cached / (cached + computed); nullopt when no step was either.
  [[nodiscard]] std::optional<double> hit_ratio() const;
};

/// Only cache lookups count, in the ratio and the misses: steps with a cache key, but for the
/// "[internal]" ones every build runs ("[internal] load build context" has a key, yet is read
/// anew each time). The engine's own steps ("exporting to image") have no key.
/// Errors: as HistoryReader::query.
[[nodiscard]] sdk::Result<HistoryStats> compute_stats(HistoryReader& reader, double since_seconds,
                                                      std::size_t top_steps = 10);

}  // namespace dbuild::history
