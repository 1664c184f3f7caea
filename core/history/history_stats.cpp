// history_stats.cpp: the SQL behind `dbuild history stats` (see history_stats.hpp). Every query
// reads only the documented views, as a user's `history query` would, so share/doc/history.md's
// examples and these numbers agree.
#include "history/history_stats.hpp"

#include "history/history_query.hpp"

namespace dbuild::history {
namespace {

// ?1: since (seconds). Only cache lookups count (see history_stats.hpp).
constexpr const char* kCountedSteps =
    "FROM steps s JOIN builds b ON b.ref = s.build "
    "WHERE b.started >= ?1 AND s.state IN ('done', 'cached') AND s.cache_key IS NOT NULL "
    "AND s.name NOT LIKE '[internal]%'";

std::int64_t integer_of(const QueryValue& value) {
  if (value.type == QueryValue::Type::Float) return static_cast<std::int64_t>(value.real);
  return value.integer;
}

std::optional<double> real_of(const QueryValue& value) {
  if (value.type == QueryValue::Type::Float) return value.real;
  if (value.type == QueryValue::Type::Integer) return static_cast<double>(value.integer);
  return std::nullopt;
}

sdk::Status count_builds(HistoryReader& reader, const QueryValue& since, HistoryStats& stats) {
  auto rows = reader.query(
      "SELECT status, count(*) FROM builds WHERE started >= ?1 GROUP BY status ORDER BY count(*) DESC, status",
      {since});
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    const int count = static_cast<int>(integer_of(row[1]));
    stats.builds_by_status.emplace_back(row[0].text, count);
    stats.builds += count;
    if (row[0].text == "completed") stats.completed = count;
  }
  return sdk::Status::ok();
}

// The median is the middle duration (the mean of the middle two for an even count), the 95th
// percentile the nearest rank ceil(0.95 n), in integers: (95 n + 99) / 100.
sdk::Status durations(HistoryReader& reader, const QueryValue& since, HistoryStats& stats) {
  auto rows = reader.query(
      "WITH d AS (SELECT duration, row_number() OVER (ORDER BY duration) AS i, count(*) OVER () AS n "
      "           FROM builds WHERE status = 'completed' AND duration IS NOT NULL AND started >= ?1) "
      "SELECT (SELECT avg(duration) FROM d WHERE i IN ((n + 1) / 2, (n + 2) / 2)), "
      "       (SELECT duration FROM d WHERE i = (95 * n + 99) / 100)",
      {since});
  if (!rows) return rows.status();
  if (rows->rows.empty()) return sdk::Status::ok();
  stats.median_seconds = real_of(rows->rows[0][0]);
  stats.p95_seconds = real_of(rows->rows[0][1]);
  return sdk::Status::ok();
}

sdk::Status cache_hits(HistoryReader& reader, const QueryValue& since, HistoryStats& stats) {
  auto rows = reader.query(
      std::string("SELECT coalesce(sum(s.state = 'cached'), 0), coalesce(sum(s.state = 'done'), 0) ") + kCountedSteps,
      {since});
  if (!rows) return rows.status();
  if (rows->rows.empty()) return sdk::Status::ok();
  stats.cached_steps = static_cast<int>(integer_of(rows->rows[0][0]));
  stats.computed_steps = static_cast<int>(integer_of(rows->rows[0][1]));
  return sdk::Status::ok();
}

// Bare columns beside max(): SQLite takes them from the row holding the maximum, so the name is
// the latest build's.
sdk::Status most_missed(HistoryReader& reader, const QueryValue& since, std::size_t top, HistoryStats& stats) {
  auto rows = reader.query(
      std::string(
          "SELECT s.stage, s.position, s.name, max(b.started), sum(s.state = 'done') AS misses, count(*) AS runs ") +
          kCountedSteps +
          " GROUP BY CASE WHEN s.position IS NULL THEN 'name ' || s.name "
          "ELSE 'at ' || coalesce(s.stage, '') || ' ' || s.position END "
          "HAVING misses > 0 ORDER BY misses DESC, runs DESC, max(b.started) DESC LIMIT ?2",
      {since, QueryValue::of(static_cast<std::int64_t>(top))});
  if (!rows) return rows.status();
  for (const auto& row : rows->rows)
    stats.most_missed.push_back({row[0].text, static_cast<int>(integer_of(row[1])), row[2].text,
                                 static_cast<int>(integer_of(row[4])), static_cast<int>(integer_of(row[5]))});
  return sdk::Status::ok();
}

}  // namespace

std::optional<double> HistoryStats::hit_ratio() const {
  if (cached_steps + computed_steps == 0) return std::nullopt;
  return static_cast<double>(cached_steps) / static_cast<double>(cached_steps + computed_steps);
}

sdk::Result<HistoryStats> compute_stats(HistoryReader& reader, double since_seconds, std::size_t top_steps) {
  HistoryStats stats;
  stats.since_seconds = since_seconds;
  const auto since = QueryValue::of(since_seconds);
  if (auto status = count_builds(reader, since, stats); !status) return status;
  if (auto status = durations(reader, since, stats); !status) return status;
  if (auto status = cache_hits(reader, since, stats); !status) return status;
  if (auto status = most_missed(reader, since, top_steps, stats); !status) return status;
  return stats;
}

}  // namespace dbuild::history
