// summary.cpp: the failure report and the warning summary printed after the steps.
#include "cli/progress/summary.hpp"

#include <iterator>

#include <fmt/format.h>

#include "cli/progress/format.hpp"

namespace dbuild::progress {

void append_failure_report(std::string& out, const StepFailure& failure) {
  out += "------\n > ";
  out += failure.name.empty() ? failure.vertex : failure.name;
  out += ":\n";
  for (const auto& line : failure.lines) {
    append_log_offset(out, line.offset_ns);
    out += ' ';
    out += line.text;
    out += '\n';
  }
  out += "------\n";
}

std::string warning_text(std::string_view message, const std::optional<sdk::SourceLocation>& location) {
  std::string text(message);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (location && location->line > 0) fmt::format_to(std::back_inserter(text), " (line {})", location->line);
  return text;
}

void append_warning_summary(std::string& out, const std::vector<std::string>& warnings, bool color) {
  if (warnings.empty()) return;
  out += "\n ";
  if (color) out += "\x1b[33m";
  if (warnings.size() == 1) {
    out += "1 warning found";
  } else {
    fmt::format_to(std::back_inserter(out), "{} warnings found", warnings.size());
  }
  out += " (use dbuild --debug to expand):\n";
  if (color) out += "\x1b[0m";
  for (const auto& warning : warnings) {
    out += " - ";
    out += warning;
    out += '\n';
  }
}

}  // namespace dbuild::progress
