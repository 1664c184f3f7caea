// history_stats.cpp: `dbuild history stats [--since 7d]`: builds per status, the median and 95th
// percentile of completed builds' durations, the cache-hit ratio and the steps that miss the
// cache most often, as text or JSON. The numbers are SQL over the documented views
// (history/history_stats.cpp), read through the read-only query connection.
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/history/history_commands.hpp"
#include "cli/history/history_common.hpp"
#include "cli/table.hpp"
#include "cli/units.hpp"
#include "dbuild/sdk/time.hpp"
#include "history/history_query.hpp"
#include "history/history_stats.hpp"

namespace dbuild::cli {
namespace {

using json = nlohmann::json;
using namespace history_cli;

std::string seconds_text(const std::optional<double>& seconds) {
  return seconds ? format_duration(static_cast<std::int64_t>(*seconds * 1e9)) : "-";
}

json optional_json(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

json stats_json(const history::HistoryStats& stats) {
  json by_status = json::object();
  for (const auto& [status, count] : stats.builds_by_status) by_status[status] = count;
  json missed = json::array();
  for (const auto& step : stats.most_missed)
    missed.push_back({{"stage", step.stage},
                      {"position", step.position},
                      {"name", step.name},
                      {"misses", step.misses},
                      {"runs", step.runs}});
  return {{"since", stats.since_seconds > 0 ? json(format_time(static_cast<std::int64_t>(stats.since_seconds * 1e9)))
                                            : json(nullptr)},
          {"builds", {{"total", stats.builds}, {"by_status", by_status}}},
          {"duration_seconds",
           {{"completed_builds", stats.completed},
            {"median", optional_json(stats.median_seconds)},
            {"p95", optional_json(stats.p95_seconds)}}},
          {"cache",
           {{"cached_steps", stats.cached_steps},
            {"computed_steps", stats.computed_steps},
            {"hit_ratio", optional_json(stats.hit_ratio())}}},
          {"most_missed_steps", missed}};
}

void print_stats(std::ostream& out, const history::HistoryStats& stats) {
  std::string statuses;
  for (const auto& [status, count] : stats.builds_by_status)
    statuses += fmt::format("{}{} {}", statuses.empty() ? "" : ", ", count, status);
  const std::string since = stats.since_seconds > 0
                                ? "since " + format_time(static_cast<std::int64_t>(stats.since_seconds * 1e9))
                                : "recorded";
  out << fmt::format("Builds {}: {}{}\n", since, stats.builds, statuses.empty() ? "" : " (" + statuses + ")");
  out << fmt::format("Duration of completed builds: median {}, p95 {}\n", seconds_text(stats.median_seconds),
                     seconds_text(stats.p95_seconds));
  if (auto ratio = stats.hit_ratio())
    out << fmt::format("Cache hits: {:.1f}% ({} of {} steps came from the cache)\n", *ratio * 100, stats.cached_steps,
                       stats.cached_steps + stats.computed_steps);
  else
    out << "Cache hits: - (no step ran or came from the cache)\n";
  if (stats.most_missed.empty()) return;
  out << "\nSteps that miss the cache most often:\n";
  Table table({"MISSES", "OF", "STEP"});
  for (const auto& step : stats.most_missed)
    table.add_row({std::to_string(step.misses), std::to_string(step.runs), step.name});
  table.print(out);
}

int run_stats(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS]",
                       "Summarise the build records: builds per status, median and p95 duration of completed "
                       "builds, the cache-hit ratio, and the steps that most often miss the cache.");
  parser.add_options()("since", po::value<std::string>(), "only builds started since (90m, 24h, 7d); default: all")(
      "format", po::value<std::string>()->default_value("text"), "output format: text or json");
  if (auto exit = parser.parse(app, args)) return *exit;
  const auto& values = parser.values();
  const auto format = values["format"].as<std::string>();
  if (format != "text" && format != "json")
    return usage_error(app, path, fmt::format("unknown format \"{}\" (want text or json)", format));
  double since = 0;
  if (values.count("since")) {
    auto age = parse_age_ns(values["since"].as<std::string>());
    if (!age) return usage_error(app, path, age.status().with_context("--since").to_string());
    since = static_cast<double>(sdk::now_ns() - *age) / 1e9;
  }
  history::HistoryStats stats;
  stats.since_seconds = since;
  auto reader = history::HistoryReader::open(app.state_root());
  if (!reader && reader.status().code() != sdk::Code::NotFound) return report_error(app, reader.status());
  if (reader) {  // else no build was recorded yet: all zero
    auto computed = history::compute_stats(**reader, since);
    if (!computed) return report_error(app, computed.status());
    stats = std::move(*computed);
  }
  if (format == "json")
    app.out() << stats_json(stats).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  else
    print_stats(app.out(), stats);
  return kExitOk;
}

}  // namespace

Command history_stats_command() {
  return Command{"stats", "Summarise builds: statuses, durations, cache hits", run_stats, {}};
}

}  // namespace dbuild::cli
