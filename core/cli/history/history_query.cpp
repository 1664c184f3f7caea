// history_query.cpp: `dbuild history query "SQL"`: one read-only SELECT over the documented views
// (builds, steps, outputs), printed as a table, CSV or JSON. A statement that would do anything
// but read them is refused before it runs: exit 2, like any other wrong argument.
#include <ostream>

#include <fmt/format.h>

#include "cli/history/history_commands.hpp"
#include "cli/history/query_output.hpp"
#include "history/history_query.hpp"

namespace dbuild::cli {
namespace {

using namespace history_cli;

int run_query(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] SQL",
                       "Run one read-only SELECT over the views builds, steps and outputs (share/doc/history.md). "
                       "Writes, ATTACH, PRAGMA, transactions and several statements are refused.");
  parser.add_options()("format", po::value<std::string>()->default_value("table"), "output format: table, csv or json");
  parser.positional("sql", 1, 1);
  if (auto exit = parser.parse(app, args)) return *exit;
  const auto format = parser.values()["format"].as<std::string>();
  if (format != "table" && format != "csv" && format != "json")
    return usage_error(app, path, fmt::format("unknown format \"{}\" (want table, csv or json)", format));
  auto reader = history::HistoryReader::open(app.state_root());
  if (!reader) return report_error(app, reader.status());
  auto result = (*reader)->query(parser.positionals().front());
  if (!result) {
    const auto code = result.status().code();
    if (code != sdk::Code::PermissionDenied && code != sdk::Code::InvalidArgument)
      return report_error(app, result.status());
    // The SQL is the argument that is wrong: one line, and no --help hint, which would not help.
    app.err() << "error: " << result.status().to_string() << "\n";
    return kExitUsage;
  }
  if (format == "csv")
    write_query_csv(app.out(), *result);
  else if (format == "json")
    write_query_json(app.out(), *result);
  else
    write_query_table(app.out(), *result);
  return kExitOk;
}

}  // namespace

Command history_query_command() {
  return Command{"query", "Run a read-only SQL query over the build records", run_query, {}};
}

}  // namespace dbuild::cli
