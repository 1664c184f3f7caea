// history_command.cpp: `dbuild history` and its record sub-commands: ls, inspect, logs, rm and
// search. The other sub-commands (why, query, stats, export, import, report, open) live beside
// this file; history_commands.hpp lists them.
#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/history/history_commands.hpp"
#include "cli/history/history_common.hpp"
#include "cli/source_snippet.hpp"
#include "cli/table.hpp"
#include "cli/units.hpp"
#include "dbuild/sdk/time.hpp"

namespace dbuild::cli {
namespace {

using json = nlohmann::json;
using namespace history_cli;

std::vector<std::string> strings(const po::variables_map& values, const char* name) {
  if (!values.count(name)) return {};
  return values[name].as<std::vector<std::string>>();
}

json build_json(const history::BuildRecord& build) {
  json doc = {{"ref", build.ref},
              {"name", build.name},
              {"status", build.status},
              {"builder", build.builder},
              {"node", build.node},
              {"driver", build.driver},
              {"frontend", build.frontend},
              {"context", build.context},
              {"dockerfile", build.dockerfile},
              {"dockerfile_digest", build.dockerfile_digest},
              {"git_url", build.git_url},
              {"git_commit", build.git_commit},
              {"target", build.target},
              {"platforms", build.platforms},
              {"build_args", build.build_args},
              {"labels", build.labels},
              {"outputs_requested", json::parse(build.outputs_requested, nullptr, false)},
              {"started", format_time(build.started)},
              {"started_ns", build.started},
              {"completed_ns", build.completed},
              {"duration_seconds", build.completed ? static_cast<double>(build.completed - build.started) / 1e9 : 0.0},
              {"total_steps", build.total_steps},
              {"cached_steps", build.cached_steps},
              {"bytes_exported", build.bytes_exported},
              {"warnings", build.warnings}};
  if (!build.error.empty()) {
    doc["error"] = {{"message", build.error}};
    if (!build.error_file.empty()) doc["error"]["file"] = build.error_file;
    if (build.error_line) doc["error"]["line"] = build.error_line;
  }
  return doc;
}

json step_json(const history::StepRecord& step) {
  json doc = {{"number", step.number},     {"name", step.name},           {"digest", step.digest},
              {"state", step.state},       {"cache_key", step.cache_key}, {"log_bytes", step.log_bytes},
              {"log_dropped", step.log_dropped}};
  if (step.started) doc["started_ns"] = step.started;
  if (step.completed) doc["completed_ns"] = step.completed;
  if (step.started && step.completed) doc["duration_seconds"] = static_cast<double>(step.completed - step.started) / 1e9;
  if (step.exit_code) doc["exit_code"] = *step.exit_code;
  if (!step.error.empty()) doc["error"] = step.error;
  if (!step.source_file.empty()) doc["source"] = {{"file", step.source_file}, {"line", step.source_line}};
  if (!step.key_inputs.empty()) doc["key_inputs"] = json::parse(step.key_inputs, nullptr, false);
  return doc;
}

std::string duration_of(const history::BuildRecord& build) {
  if (!build.completed) return build.status == "running" ? format_duration(sdk::now_ns() - build.started) + "+" : "-";
  return format_duration(build.completed - build.started);
}

int run_ls(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS]", "List build records, newest first.");
  parser.add_options()("filter", po::value<std::vector<std::string>>()->composing(),
                       "status=running|completed|failed|cancelled|interrupted, since=24h, name=TEXT, target=STAGE")(
      "format", po::value<std::string>()->default_value("table"), "output format: table or json")(
      "no-trunc", po::bool_switch(), "do not shorten names")("limit", po::value<std::size_t>(), "show at most N records");
  if (auto exit = parser.parse(app, args)) return *exit;
  const auto& values = parser.values();
  const auto format = values["format"].as<std::string>();
  if (format != "table" && format != "json")
    return usage_error(app, path, fmt::format("unknown format \"{}\" (want table or json)", format));
  auto filter = parse_filters(strings(values, "filter"), sdk::now_ns());
  if (!filter) return usage_error(app, path, filter.status().to_string());
  if (values.count("limit")) filter->limit = values["limit"].as<std::size_t>();
  auto store = open_history(app);
  if (!store) {
    if (store.status().code() != sdk::Code::NotFound) return report_error(app, store.status());
    if (format == "json") app.out() << "[]\n";
    else Table({"BUILD ID", "NAME", "STATUS", "CREATED AT", "DURATION", "CACHED/STEPS"}).print(app.out());
    return kExitOk;
  }
  auto builds = (*store)->list(*filter);
  if (!builds) return report_error(app, builds.status());
  if (format == "json") {
    json list = json::array();
    for (const auto& build : *builds) list.push_back(build_json(build));
    app.out() << list.dump(2) << "\n";
    return kExitOk;
  }
  const bool whole = values["no-trunc"].as<bool>();
  Table table({"BUILD ID", "NAME", "STATUS", "CREATED AT", "DURATION", "CACHED/STEPS"});
  for (const auto& build : *builds) {
    std::string name = build.name;
    if (!whole && name.size() > 30) name = name.substr(0, 29) + "…";
    table.add_row({build.ref, name, status_title(build.status), format_age(build.started / 1000000000LL),
                   duration_of(build), fmt::format("{}/{}", build.cached_steps, build.total_steps)});
  }
  table.print(app.out());
  return kExitOk;
}

void print_inspect(std::ostream& out, const history::BuildRecord& build, const std::vector<history::StepRecord>& steps,
                   const std::vector<history::OutputRecord>& outputs) {
  auto line = [&](const char* label, const std::string& value) {
    if (!value.empty()) out << fmt::format("{:<15} {}\n", label, value);
  };
  line("Name:", build.name);
  line("Ref:", build.ref);
  line("Builder:", build.builder + " (" + build.driver + " driver, node " + build.node + ")");
  line("Frontend:", build.frontend);
  line("Context:", build.context);
  line("Dockerfile:", build.dockerfile + (build.dockerfile_digest.empty() ? "" : " (" + build.dockerfile_digest + ")"));
  if (!build.git_url.empty() || !build.git_commit.empty()) line("Git:", build.git_url + " " + build.git_commit);
  line("Target:", build.target);
  std::string platforms;
  for (const auto& platform : build.platforms) platforms += (platforms.empty() ? "" : ", ") + platform;
  line("Platforms:", platforms);
  for (const auto& [key, value] : build.build_args) line("Build arg:", key + "=" + value);
  for (const auto& [key, value] : build.labels) line("Label:", key + "=" + value);
  line("Started:", format_time(build.started));
  line("Duration:", duration_of(build));
  line("Status:", status_title(build.status));
  line("Steps:", fmt::format("{} ({} cached)", build.total_steps, build.cached_steps));
  if (build.bytes_exported) line("Exported:", format_size(build.bytes_exported));
  for (const auto& warning : build.warnings) line("Warning:", warning);
  if (!build.error.empty()) {
    out << "\nError: " << build.error << "\n";
    if (!build.error_file.empty() && build.error_line) {
      // The Dockerfile as it was built; the file on disk may have changed since.
      sdk::SourceLocation location{build.error_file, build.error_line, build.error_line};
      if (!build.dockerfile_text.empty()) print_source_text(out, build.dockerfile_text, location);
      else if (!build.dockerfile.empty()) print_source_lines(out, build.dockerfile, location);
    }
  }
  if (!outputs.empty()) {
    out << "\nOutputs:\n";
    Table table({"TYPE", "DIGEST", "NAMES", "PUSHED"});
    for (const auto& output : outputs)
      table.add_row({output.type, output.digest.empty() ? "-" : output.digest, output.names.empty() ? "-" : output.names,
                     output.pushed ? "yes" : "no"});
    table.print(out);
  }
  std::vector<const history::StepRecord*> ran;
  for (const auto& step : steps)
    if (step.state == "done" || step.state == "failed") ran.push_back(&step);
  std::sort(ran.begin(), ran.end(), [](const auto* a, const auto* b) {
    return a->completed - a->started > b->completed - b->started;
  });
  if (!ran.empty()) {
    out << "\nSlowest steps:\n";
    for (std::size_t i = 0; i < ran.size() && i < 5; ++i)
      out << fmt::format("  #{:<3} {:>7}  {}\n", ran[i]->number, format_duration(ran[i]->completed - ran[i]->started),
                         ran[i]->name);
  }
  out << "\nSteps:\n";
  Table table({"#", "STATE", "DURATION", "NAME"});
  for (const auto& step : steps) {
    std::string state = step.state;
    std::transform(state.begin(), state.end(), state.begin(), [](unsigned char c) { return std::toupper(c); });
    if (step.exit_code) state += fmt::format(" (exit {})", *step.exit_code);
    table.add_row({std::to_string(step.number), state,
                   step.started && step.completed ? format_duration(step.completed - step.started) : "-", step.name});
  }
  table.print(out);
}

int run_inspect(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] [REF]",
                       "Show everything recorded of a build. REF: a ref or a unique prefix of one; none or ^0 is the "
                       "latest build, ^1 the one before it.");
  parser.add_options()("format", po::value<std::string>()->default_value("text"), "output format: text or json");
  parser.positional("ref", 1, 0);
  if (auto exit = parser.parse(app, args)) return *exit;
  const auto format = parser.values()["format"].as<std::string>();
  if (format != "text" && format != "json")
    return usage_error(app, path, fmt::format("unknown format \"{}\" (want text or json)", format));
  auto found = find_build(app, parser.positionals().empty() ? "" : parser.positionals().front());
  if (!found) return report_error(app, found.status());
  auto steps = found->store->steps(found->build.id, false);
  if (!steps) return report_error(app, steps.status());
  auto outputs = found->store->outputs(found->build.id);
  if (!outputs) return report_error(app, outputs.status());
  if (format == "json") {
    json doc = build_json(found->build);
    doc["steps"] = json::array();
    for (const auto& step : *steps) doc["steps"].push_back(step_json(step));
    doc["outputs"] = json::array();
    for (const auto& output : *outputs)
      doc["outputs"].push_back({{"type", output.type},
                                {"attributes", json::parse(output.attributes, nullptr, false)},
                                {"digest", output.digest},
                                {"config_digest", output.config_digest},
                                {"names", output.names},
                                {"pushed", output.pushed}});
    app.out() << doc.dump(2) << "\n";
    return kExitOk;
  }
  print_inspect(app.out(), found->build, *steps, *outputs);
  return kExitOk;
}

int run_logs(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] [REF]", "Print a build's logs as --progress=plain showed them.");
  parser.add_options()("step", po::value<int>(), "only step N (the #N of the logs)");
  parser.positional("ref", 1, 0);
  if (auto exit = parser.parse(app, args)) return *exit;
  auto found = find_build(app, parser.positionals().empty() ? "" : parser.positionals().front());
  if (!found) return report_error(app, found.status());
  auto steps = found->store->steps(found->build.id, true);
  if (!steps) return report_error(app, steps.status());
  const auto& values = parser.values();
  if (values.count("step")) {
    const int wanted = values["step"].as<int>();
    auto step = std::find_if(steps->begin(), steps->end(), [&](const auto& s) { return s.number == wanted; });
    if (step == steps->end())
      return usage_error(app, path, fmt::format("--step {}: build {} has steps 1 to {}", wanted, found->build.ref,
                                                steps->size()));
    print_plain_step(app.out(), *step);
    return kExitOk;
  }
  for (const auto& step : *steps) print_plain_step(app.out(), step);
  if (!found->build.error.empty()) app.out() << "ERROR: " << found->build.error << "\n";
  return kExitOk;
}

int run_rm(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] REF... | --all", "Remove build records.");
  parser.add_options()("all", po::bool_switch(), "remove every record");
  parser.positional("refs", -1, 0);
  if (auto exit = parser.parse(app, args)) return *exit;
  const bool all = parser.values()["all"].as<bool>();
  const auto& refs = parser.positionals();
  if (all == !refs.empty()) return usage_error(app, path, "give REF... or --all, not both and not neither");
  auto store = open_history(app);
  if (!store) return report_error(app, store.status());
  std::vector<std::int64_t> ids;
  std::vector<std::string> removed;
  if (all) {
    auto builds = (*store)->list({});
    if (!builds) return report_error(app, builds.status());
    for (const auto& build : *builds)
      if (build.status != "running") {
        ids.push_back(build.id);
        removed.push_back(build.ref);
      }
  } else {
    for (const auto& ref : refs) {
      auto build = (*store)->find(ref);
      if (!build) return report_error(app, build.status());
      if (build->status == "running")
        return report_error(app, sdk::Status::failed_precondition("build " + build->ref + " is still running"));
      ids.push_back(build->id);
      removed.push_back(build->ref);
    }
  }
  if (auto status = (*store)->remove(ids); !status) return report_error(app, status);
  for (const auto& ref : removed) app.out() << ref << "\n";
  return kExitOk;
}

int run_search(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] TEXT",
                       "Search the stored logs of every build for lines holding TEXT's words in that order (case "
                       "does not matter). With --query, TEXT is an SQLite FTS5 query: words, \"a phrase\", prefix*, "
                       "AND, OR, NOT.");
  parser.add_options()("since", po::value<std::string>(), "only builds started since (90m, 24h, 7d)")(
      "limit", po::value<std::size_t>()->default_value(200), "print at most N lines")(
      "query", po::bool_switch(), "TEXT is an FTS5 query");
  parser.positional("pattern", 1, 1);
  if (auto exit = parser.parse(app, args)) return *exit;
  std::int64_t since = 0;
  if (parser.values().count("since")) {
    auto age = parse_age_ns(parser.values()["since"].as<std::string>());
    if (!age) return usage_error(app, path, age.status().with_context("--since").to_string());
    since = sdk::now_ns() - *age;
  }
  auto store = open_history(app);
  if (!store) return report_error(app, store.status());
  std::string pattern = parser.positionals().front();
  if (!parser.values()["query"].as<bool>()) {
    // A phrase: FTS5 reads "about-to-fail" as an expression otherwise.
    std::string phrase = "\"";
    for (char c : pattern) phrase += c == '"' ? std::string("\"\"") : std::string(1, c);
    pattern = phrase + "\"";
  }
  auto matches = (*store)->search(pattern, since, parser.values()["limit"].as<std::size_t>());
  if (!matches) {
    if (matches.status().code() == sdk::Code::InvalidArgument) return usage_error(app, path, matches.status().to_string());
    return report_error(app, matches.status());
  }
  for (const auto& match : *matches)
    app.out() << fmt::format("{} #{} {}: {}\n", match.ref, match.step_number, match.step_name, match.line);
  return matches->empty() ? kExitFailure : kExitOk;
}

}  // namespace

Command history_command() {
  Command group{"history",
                "Build records: list, inspect, logs, why a step ran, search, query, stats, export, import, HTML pages",
                run_ls,
                {}};
  group.subcommands.push_back({"inspect", "Show everything recorded of a build", run_inspect, {}});
  group.subcommands.push_back({"logs", "Print a build's logs", run_logs, {}});
  group.subcommands.push_back({"ls", "List build records", run_ls, {}});
  group.subcommands.push_back({"rm", "Remove build records", run_rm, {}});
  group.subcommands.push_back({"search", "Search the logs of every build", run_search, {}});
  for (auto& command : history_extra_commands()) group.subcommands.push_back(std::move(command));
  std::sort(group.subcommands.begin(), group.subcommands.end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
  return group;
}

}  // namespace dbuild::cli
