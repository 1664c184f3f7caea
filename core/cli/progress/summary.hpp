// summary.hpp: what the plain and tty renderers print once the steps are done, as BuildKit and
// buildx print it: each failed step's last lines between "------" rulers, then the warnings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "cli/progress/log_tail.hpp"

namespace dbuild::progress {

/// Appends "------\n > <name>:\n<offset> <line>\n...------\n" for a failed step. The CLI can use
/// it for the quiet and rawjson modes, which print nothing of the kind themselves.
void append_failure_report(std::string& out, const StepFailure& failure);

/// A warning as it is listed: the message, then " (line N)" when its line is known.
[[nodiscard]] std::string warning_text(std::string_view message, const std::optional<sdk::SourceLocation>& location);

/// Appends buildx's warning summary: "\n 2 warnings found (use dbuild --debug to expand):\n - ...\n".
/// Appends nothing when there are no warnings. `color` wraps the count line in yellow.
void append_warning_summary(std::string& out, const std::vector<std::string>& warnings, bool color = false);

}  // namespace dbuild::progress
