// version_command.cpp: `dbuild version`: the build, the plugin ABI and where plugins come from.
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <dbuild/sdk/abi.hpp>

#include "cli/command.hpp"
#include "host/build_info.hpp"
#include "executor/runtime.hpp"
#include "plugin/plugin_search_path.hpp"

namespace dbuild::cli {
namespace {

struct SearchDir {
  std::string path;
  std::string origin;  // built-in, DBUILD_PLUGIN_PATH, user
};

std::vector<SearchDir> search_dirs(const App& app) {
  std::vector<SearchDir> dirs;
  auto path = app.plugin_search_path();
  auto builtin = plugin::builtin_plugin_dir(app.environment().executable_dir);
  auto user = plugin::user_plugin_dir(app.environment());
  for (const auto& dir : path) {
    std::string origin = dir == builtin ? "built-in" : dir == user ? "user" : "DBUILD_PLUGIN_PATH";
    dirs.push_back({dir.string(), origin});
  }
  return dirs;
}

int run_version(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS]", "Show the dbuild version, the plugin ABI and the plugin directories.");
  parser.add_options()("format", po::value<std::string>()->default_value("text"), "output format: text or json");
  if (auto exit = parser.parse(app, args)) return *exit;
  const auto& info = host::build_info();
  const auto format = parser.values()["format"].as<std::string>();
  const auto dirs = search_dirs(app);
  const auto abi = fmt::format("{}.{}", sdk::kAbiMajor, sdk::kAbiMinor);
  auto runtime = executor::detect_runtime();
  const std::string runtime_text = runtime ? runtime->describe() : "none (" + runtime.status().message() + ")";

  if (format == "json") {
    nlohmann::json doc = {{"version", info.version},   {"git_commit", info.git_commit},
                          {"build_type", info.build_type}, {"plugin_abi", abi},
                          {"runtime", runtime ? runtime->describe() : ""},
                          {"plugin_dirs", nlohmann::json::array()}};
    for (const auto& dir : dirs) doc["plugin_dirs"].push_back({{"path", dir.path}, {"origin", dir.origin}});
    app.out() << doc.dump(2) << "\n";
    return kExitOk;
  }
  if (format != "text") return usage_error(app, path, fmt::format("unknown format \"{}\" (want text or json)", format));

  auto& out = app.out();
  out << "dbuild " << info.version << "\n";
  out << fmt::format(" {:<13}{}\n", "git commit:", info.git_commit);
  out << fmt::format(" {:<13}{}\n", "build type:", info.build_type);
  out << fmt::format(" {:<13}{}\n", "plugin ABI:", abi);
  out << fmt::format(" {:<13}{}\n", "runtime:", runtime_text);
  bool first = true;
  for (const auto& dir : dirs) {
    out << fmt::format(" {:<13}{} ({})\n", first ? "plugin dirs:" : "", dir.path, dir.origin);
    first = false;
  }
  return kExitOk;
}

}  // namespace

Command version_command() {
  return Command{"version", "Show the dbuild version, the plugin ABI and the plugin directories", run_version, {}};
}

}  // namespace dbuild::cli
