// history_common.cpp: opening the history, REFs, filters and formats (see history_common.hpp).
#include "cli/history/history_common.hpp"

#include <chrono>
#include <ctime>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "cli/units.hpp"
#include "engine/session.hpp"
#include "dbuild/sdk/time.hpp"

namespace dbuild::cli::history_cli {

namespace fs = std::filesystem;

sdk::Result<std::unique_ptr<history::HistoryStore>> open_history(App& app) {
  const auto root = app.state_root();
  std::error_code error;
  if (!fs::exists(root / "history.db", error))
    return sdk::Status::not_found("no builds recorded yet in " + root.string());
  auto store = history::HistoryStore::open(root);
  if (!store) return store.status();
  // A build still 'running' whose process is gone was interrupted (the next engine start says
  // so too; this makes `history` right before that).
  history::BuildFilter running;
  running.statuses = {"running"};
  if (auto builds = (*store)->list(running))
    for (const auto& build : *builds)
      if (!engine::session_alive(root, build.session)) (void)(*store)->mark_interrupted(build.session);
  return store;
}

sdk::Result<std::int64_t> parse_age_ns(const std::string& text) {
  auto seconds = parse_duration_seconds(text);  // days too: "7d"
  if (!seconds) return sdk::Status::invalid_argument("\"" + text + "\": not a duration (e.g. 90m, 24h, 7d)");
  return *seconds * 1000000000LL;
}

sdk::Result<history::BuildFilter> parse_filters(const std::vector<std::string>& filters, std::int64_t now) {
  history::BuildFilter filter;
  for (const auto& item : filters) {
    const auto equals = item.find('=');
    if (equals == std::string::npos) return sdk::Status::invalid_argument("--filter " + item + ": want KEY=VALUE");
    const std::string key = item.substr(0, equals);
    const std::string value = item.substr(equals + 1);
    if (key == "status") {
      static const std::vector<std::string> kStatuses = {"running", "completed", "failed", "cancelled", "interrupted"};
      if (std::find(kStatuses.begin(), kStatuses.end(), value) == kStatuses.end())
        return sdk::Status::invalid_argument("--filter " + item +
                                             ": want status=running|completed|failed|cancelled|interrupted");
      filter.statuses.push_back(value);
    } else if (key == "since") {
      auto age = parse_age_ns(value);
      if (!age) return age.status().with_context("--filter " + item);
      filter.since = now - *age;
    } else if (key == "name") {
      filter.name = value;
    } else if (key == "target") {
      filter.target = value;
    } else {
      return sdk::Status::invalid_argument("--filter " + item + ": unknown key \"" + key +
                                           "\" (want status, since, name or target)");
    }
  }
  return filter;
}

std::string format_duration(std::int64_t ns) {
  if (ns < 0) ns = 0;
  const double seconds = static_cast<double>(ns) / 1e9;
  if (seconds < 60) return fmt::format("{:.1f}s", seconds);
  const auto whole = static_cast<std::int64_t>(seconds);
  if (whole < 3600) return fmt::format("{}m{}s", whole / 60, whole % 60);
  return fmt::format("{}h{}m", whole / 3600, (whole % 3600) / 60);
}

std::string format_time(std::int64_t ns) {
  const std::time_t seconds = static_cast<std::time_t>(ns / 1000000000LL);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

std::string status_title(const std::string& status) {
  if (status.empty()) return status;
  std::string title = status;
  title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
  return title;
}

sdk::Result<FoundBuild> find_build(App& app, const std::string& ref) {
  auto store = open_history(app);
  if (!store) return store.status();
  auto build = (*store)->find(ref);
  if (!build) return build.status();
  return FoundBuild{std::move(*store), std::move(*build)};
}

void print_plain_step(std::ostream& out, const history::StepRecord& step) {
  out << "#" << step.number << " " << step.name << "\n";
  std::istringstream lines(step.log);
  for (std::string line; std::getline(lines, line);) out << "#" << step.number << " " << line << "\n";
  if (step.log_dropped > 0)
    out << "#" << step.number << " [output clipped: " << format_size(step.log_dropped)
        << " past the per-step log limit were not kept]\n";
  const std::int64_t took = step.completed && step.started ? step.completed - step.started : 0;
  if (step.state == "cached") out << "#" << step.number << " CACHED\n";
  else if (step.state == "done") out << "#" << step.number << " DONE " << fmt::format("{:.1f}s", took / 1e9) << "\n";
  else if (step.state == "failed") out << "#" << step.number << " ERROR: " << step.error << "\n";
  else if (step.state == "cancelled") out << "#" << step.number << " CANCELED\n";
  else out << "#" << step.number << " SKIPPED (an earlier step failed)\n";
  out << "\n";
}

}  // namespace dbuild::cli::history_cli
