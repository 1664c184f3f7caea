// history_extra.cpp: the list of `dbuild history` sub-commands that live in their own files.
#include "cli/history/history_commands.hpp"

namespace dbuild::cli {

std::vector<Command> history_extra_commands() {
  std::vector<Command> commands;
  commands.push_back(history_why_command());
  commands.push_back(history_query_command());
  commands.push_back(history_stats_command());
  commands.push_back(history_export_command());
  commands.push_back(history_import_command());
  commands.push_back(history_open_command());
  commands.push_back(history_report_command());
  return commands;
}

}  // namespace dbuild::cli
