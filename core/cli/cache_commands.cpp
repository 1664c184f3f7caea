// cache_commands.cpp: `dbuild du` and `dbuild prune`: how much the build cache takes, and
// freeing it, as `docker buildx du` and `docker buildx prune` do.
#include <unistd.h>

#include <iostream>
#include <ostream>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/table.hpp"
#include "cli/units.hpp"

namespace dbuild::cli {
namespace {

int run_du(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS]", "Show disk usage of the build cache and content store.");
  if (auto exit = parser.parse(app, args)) return *exit;
  auto engine = app.engine();
  if (!engine) return report_error(app, engine.status());
  auto usage = (*engine)->disk_usage();
  if (!usage) return report_error(app, usage.status());
  Table table({"TYPE", "COUNT", "SIZE"});
  table.add_row({"snapshots", std::to_string(usage->snapshots), format_size(usage->snapshot_bytes)});
  table.add_row({"cache records", std::to_string(usage->cache_records), "-"});
  table.add_row({"blobs", std::to_string(usage->blobs), format_size(usage->blob_bytes)});
  table.print(app.out());
  app.out() << fmt::format("Reclaimable:\t{}\nTotal:\t\t{}\n", format_size(usage->reclaimable_bytes),
                           format_size(usage->snapshot_bytes + usage->blob_bytes));
  return kExitOk;
}

int run_prune(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS]", "Remove build cache.");
  parser.add_options()("all,a", po::bool_switch(), "also remove unpacked base images and unreferenced blobs")(
      "filter", po::value<std::vector<std::string>>()->composing(), "filter: until=DURATION (e.g. until=24h)")(
      "keep-storage", po::value<std::string>(), "keep this much (e.g. 10GB), removing the least recently used")(
      "force,f", po::bool_switch(), "do not ask for confirmation");
  if (auto exit = parser.parse(app, args)) return *exit;
  const auto& values = parser.values();
  sdk::PruneOptions options;
  options.all = values["all"].as<bool>();
  if (values.count("keep-storage")) {
    auto size = parse_size(values["keep-storage"].as<std::string>());
    if (!size) return usage_error(app, path, "--keep-storage: " + size.status().message());
    options.keep_bytes = *size;
  }
  if (values.count("filter")) {
    for (const auto& filter : values["filter"].as<std::vector<std::string>>()) {
      if (filter.rfind("until=", 0) != 0)
        return usage_error(app, path, "--filter " + filter + ": only until=DURATION is supported");
      auto seconds = parse_duration_seconds(filter.substr(6));
      if (!seconds) return usage_error(app, path, "--filter " + filter + ": " + seconds.status().message());
      options.older_than = *seconds;
    }
  }
  if (!values["force"].as<bool>()) {
    app.err() << (options.all ? "WARNING! This will remove all build cache, including unpacked base images.\n"
                              : "WARNING! This will remove the build cache.\n")
              << "Are you sure you want to continue? [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      app.err() << "aborted\n";
      return kExitOk;
    }
  }
  auto engine = app.engine();
  if (!engine) return report_error(app, engine.status());
  auto result = (*engine)->prune(options);
  if (!result) return report_error(app, result.status());
  app.out() << fmt::format("Total:\t{} (removed {} items)\n", format_size(result->reclaimed_bytes), result->removed_records);
  return kExitOk;
}

}  // namespace

Command du_command() { return Command{"du", "Show disk usage", run_du, {}}; }
Command prune_command() { return Command{"prune", "Remove build cache", run_prune, {}}; }

}  // namespace dbuild::cli
