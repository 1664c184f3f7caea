// history_common.hpp: what the `dbuild history` sub-commands share: opening the local engine's
// history (marking the builds of dead processes interrupted first), reading REF arguments and
// --filter values, and formatting times, durations and states as buildx prints them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "history/history_store.hpp"

namespace dbuild::cli::history_cli {

/// The state root's history.db. Errors: not_found ("no builds recorded yet" when there is no
/// file), failed_precondition (damaged or newer: the hint says how to move it aside).
[[nodiscard]] sdk::Result<std::unique_ptr<history::HistoryStore>> open_history(App& app);

/// --filter KEY=VALUE (status=, since=, name=, target=) into a filter. Errors: invalid_argument.
[[nodiscard]] sdk::Result<history::BuildFilter> parse_filters(const std::vector<std::string>& filters,
                                                              std::int64_t now_ns);
/// "24h", "7d", "90m" -> nanoseconds. Errors: invalid_argument.
[[nodiscard]] sdk::Result<std::int64_t> parse_age_ns(const std::string& text);

/// "1.2s", "3m4s", "1h2m": a build's or step's duration.
[[nodiscard]] std::string format_duration(std::int64_t ns);
/// "2026-11-30 08:50:12 UTC".
[[nodiscard]] std::string format_time(std::int64_t ns);
/// "Completed", "Failed", ... as buildx capitalises them.
[[nodiscard]] std::string status_title(const std::string& status);

/// The build, or the error printed (exit code in `exit`).
struct FoundBuild {
  std::unique_ptr<history::HistoryStore> store;
  history::BuildRecord build;
};
[[nodiscard]] sdk::Result<FoundBuild> find_build(App& app, const std::string& ref);

/// The step lines as --progress=plain shows them: "#N name", its output, "#N DONE 0.3s".
void print_plain_step(std::ostream& out, const history::StepRecord& step);

}  // namespace dbuild::cli::history_cli
