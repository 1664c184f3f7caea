// history_commands.hpp: the `dbuild history` sub-commands that live in their own files, so that
// each can grow without the others: why (history_why.cpp), and those added beside it. The group
// itself is history_command() in cli/command.hpp.
#pragma once

#include <vector>

#include "cli/command.hpp"

namespace dbuild::cli {

/// Every sub-command below, for history_command() to add.
[[nodiscard]] std::vector<Command> history_extra_commands();

/// `dbuild history why [REF] [STEP]`: why a step ran instead of coming from the cache.
[[nodiscard]] Command history_why_command();
/// `dbuild history query SQL`: a read-only SELECT over the documented views (history_query.cpp).
[[nodiscard]] Command history_query_command();
/// `dbuild history stats [--since AGE]`: statuses, durations, cache hits (history_stats.cpp).
[[nodiscard]] Command history_stats_command();
/// `dbuild history export REF... -o FILE` and `import FILE`: bundles (history_transfer.cpp).
[[nodiscard]] Command history_export_command();
[[nodiscard]] Command history_import_command();

/// `dbuild history open [REF] [-o FILE]`: a build's page as HTML (history_report.cpp).
[[nodiscard]] Command history_open_command();

/// `dbuild history report [--since 7d] [-o FILE]`: the recent builds as HTML (history_report.cpp).
[[nodiscard]] Command history_report_command();

}  // namespace dbuild::cli
