// history_transfer.cpp: `dbuild history export REF... -o FILE` and `dbuild history import FILE`:
// build records moved between machines as a bundle (history/history_bundle.hpp, described in
// share/doc/history.md). Import keeps refs, skips those already recorded, and is all or nothing.
#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "cli/history/history_commands.hpp"
#include "cli/history/history_common.hpp"
#include "history/history_bundle.hpp"

namespace dbuild::cli {
namespace {

namespace fs = std::filesystem;
using namespace history_cli;

int run_export(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] REF... | --all",
                       "Write build records (steps, logs, cache-key inputs, outputs) to a bundle file that "
                       "`dbuild history import` reads. REF: a ref, a unique prefix, ^0 for the latest, ^1 ...");
  parser.add_options()("output,o", po::value<std::string>(), "the bundle file to write (required)")(
      "all", po::bool_switch(), "export every finished build");
  parser.positional("refs", -1, 0);
  if (auto exit = parser.parse(app, args)) return *exit;
  const auto& values = parser.values();
  const bool all = values["all"].as<bool>();
  const auto refs = parser.positionals();
  if (all == !refs.empty()) return usage_error(app, path, "give REF... or --all, not both and not neither");
  if (!values.count("output") || values["output"].as<std::string>().empty())
    return usage_error(app, path, "-o FILE is required");
  auto store = open_history(app);
  if (!store) return report_error(app, store.status());
  std::vector<history::BuildRecord> builds;
  if (all) {
    auto listed = (*store)->list({});
    if (!listed) return report_error(app, listed.status());
    for (auto& build : *listed)
      if (build.status != "running") builds.push_back(std::move(build));
  }
  for (const auto& ref : refs) {
    auto build = (*store)->find(ref);
    if (!build) return report_error(app, build.status());
    const bool again = std::any_of(builds.begin(), builds.end(), [&](const auto& b) { return b.id == build->id; });
    if (!again) builds.push_back(std::move(*build));
  }
  if (auto status = history::export_bundle(**store, builds, values["output"].as<std::string>()); !status)
    return report_error(app, status);
  for (const auto& build : builds) app.out() << build.ref << "\n";
  return kExitOk;
}

int run_import(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "FILE",
                       "Add the build records of a bundle that `dbuild history export` wrote. Refs are kept; a "
                       "build already recorded is skipped. Nothing is imported when the bundle is damaged.");
  parser.positional("file", 1, 1);
  if (auto exit = parser.parse(app, args)) return *exit;
  const std::string file = parser.positionals().front();
  // A bad file is refused before history.db is opened, so that it does not even create one.
  if (auto status = history::check_bundle(file); !status) return report_error(app, status);
  const auto root = app.state_root();
  std::error_code error;
  fs::create_directories(root, error);
  if (error) return report_error(app, sdk::Status::unavailable("creating " + root.string() + ": " + error.message()));
  auto store = history::HistoryStore::open(root);
  if (!store) return report_error(app, store.status());
  auto result = history::import_bundle(**store, file);
  if (!result) return report_error(app, result.status());
  for (const auto& ref : result->imported) app.out() << ref << "\n";
  for (const auto& ref : result->skipped) app.err() << fmt::format("skipped {}: already in the history\n", ref);
  return kExitOk;
}

}  // namespace

Command history_export_command() { return Command{"export", "Write build records to a bundle file", run_export, {}}; }

Command history_import_command() { return Command{"import", "Add the build records of a bundle file", run_import, {}}; }

}  // namespace dbuild::cli
