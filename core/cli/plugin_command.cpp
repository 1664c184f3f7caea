// plugin_command.cpp: `dbuild plugin ls|inspect`: what loaded, what was skipped or refused, and why.
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/table.hpp"

namespace dbuild::cli {
namespace {

using plugin::PluginEntry;
using plugin::PluginState;

std::string_view option_type_name(sdk::OptionType type) {
  switch (type) {
    case sdk::OptionType::String: return "string";
    case sdk::OptionType::Bool: return "bool";
    case sdk::OptionType::Integer: return "integer";
    case sdk::OptionType::Size: return "size";
    case sdk::OptionType::Duration: return "duration";
    case sdk::OptionType::Path: return "path";
  }
  return "unknown";
}

std::string or_dash(const std::string& text) { return text.empty() ? "-" : text; }

std::string status_text(const PluginEntry& entry) {
  if (entry.state == PluginState::Loaded) return "loaded";
  return fmt::format("{}: {}", plugin::state_name(entry.state), entry.reason);
}

nlohmann::json to_json(const PluginEntry& entry) {
  nlohmann::json options = nlohmann::json::array();
  for (const auto& option : entry.options) {
    nlohmann::json item = {{"name", option.name},
                           {"type", option_type_name(option.type)},
                           {"description", option.description},
                           {"required", option.required}};
    if (option.default_value) item["default"] = *option.default_value;
    options.push_back(std::move(item));
  }
  nlohmann::json doc = {{"file", entry.file},       {"kind", entry.kind},
                        {"name", entry.name},       {"version", entry.version},
                        {"description", entry.description}, {"status", plugin::state_name(entry.state)},
                        {"reason", entry.reason},   {"options", options}};
  if (entry.abi_major != 0) doc["abi"] = fmt::format("{}.{}", entry.abi_major, entry.abi_minor);
  return doc;
}

// Accepts "NAME" or "KIND/NAME"; refused entries match too when their name could be read.
bool matches(const PluginEntry& entry, std::string_view query) {
  auto slash = query.find('/');
  if (slash == std::string_view::npos) return entry.name == query;
  return entry.kind == query.substr(0, slash) && entry.name == query.substr(slash + 1);
}

std::optional<std::string> read_format(App& app, const CommandParser& parser, int& exit_code) {
  auto format = parser.values()["format"].as<std::string>();
  if (format == "table" || format == "json") return format;
  exit_code = usage_error(app, parser.path(), fmt::format("unknown format \"{}\" (want table or json)", format));
  return std::nullopt;
}

int run_ls(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS]", "List plugins: loaded, skipped (not supported here) and refused, with the reason.");
  parser.add_options()("format", po::value<std::string>()->default_value("table"), "output format: table or json");
  if (auto exit = parser.parse(app, args)) return *exit;
  int exit_code = kExitOk;
  auto format = read_format(app, parser, exit_code);
  if (!format) return exit_code;

  const auto& entries = app.plugins().entries();
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& entry : entries) list.push_back(to_json(entry));
    app.out() << list.dump(2) << "\n";
    return kExitOk;
  }
  Table table({"KIND", "NAME", "VERSION", "FILE", "STATUS"});
  for (const auto& entry : entries)
    table.add_row({or_dash(entry.kind), or_dash(entry.name), or_dash(entry.version), entry.file, status_text(entry)});
  table.print(app.out());
  return kExitOk;
}

void print_entry(std::ostream& out, const PluginEntry& entry) {
  out << fmt::format("{:<13}{}\n", "Name:", or_dash(entry.name));
  out << fmt::format("{:<13}{}\n", "Kind:", or_dash(entry.kind));
  out << fmt::format("{:<13}{}\n", "Version:", or_dash(entry.version));
  out << fmt::format("{:<13}{}\n", "Description:", or_dash(entry.description));
  out << fmt::format("{:<13}{}\n", "File:", entry.file);
  if (entry.abi_major != 0) out << fmt::format("{:<13}{}.{}\n", "ABI:", entry.abi_major, entry.abi_minor);
  out << fmt::format("{:<13}{}\n", "Status:", status_text(entry));
  if (entry.options.empty()) return;
  out << "Options:\n";
  Table table({"  NAME", "TYPE", "DEFAULT", "REQUIRED", "DESCRIPTION"});
  for (const auto& option : entry.options)
    table.add_row({"  " + option.name, std::string(option_type_name(option.type)), option.default_value.value_or("-"),
                   option.required ? "yes" : "no", option.description});
  table.print(out);
}

int run_inspect(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] NAME|KIND/NAME", "Show one plugin: its descriptor, options and status.");
  parser.add_options()("format", po::value<std::string>()->default_value("table"), "output format: table or json");
  parser.positional("name", 1, 1);
  if (auto exit = parser.parse(app, args)) return *exit;
  int exit_code = kExitOk;
  auto format = read_format(app, parser, exit_code);
  if (!format) return exit_code;
  const auto query = parser.positionals().front();

  std::vector<const PluginEntry*> found;
  for (const auto& entry : app.plugins().entries())
    if (matches(entry, query)) found.push_back(&entry);
  if (found.empty())
    return report_error(app, sdk::Status::not_found(fmt::format("no plugin named \"{}\"", query))
                                 .with_hint("run `dbuild plugin ls` to see every plugin"));

  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto* entry : found) list.push_back(to_json(*entry));
    app.out() << list.dump(2) << "\n";
    return kExitOk;
  }
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (i > 0) app.out() << "\n";
    print_entry(app.out(), *found[i]);
  }
  return kExitOk;
}

}  // namespace

Command plugin_command() {
  Command group{"plugin", "Manage plugins", nullptr, {}};
  group.subcommands.push_back({"inspect", "Show one plugin: its descriptor, options and status", run_inspect, {}});
  group.subcommands.push_back({"ls", "List plugins and why any was skipped or refused", run_ls, {}});
  return group;
}

}  // namespace dbuild::cli
