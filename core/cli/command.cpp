// command.cpp: flag parsing, help text, usage errors and dispatch through the command tree.
#include "cli/command.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

namespace dbuild::cli {
namespace {

constexpr auto kStyle = po::command_line_style::unix_style ^ po::command_line_style::allow_guessing;

// Program_options says "unrecognised option '--x'"; buildx users know "unknown flag: --x".
std::string describe(const po::error& error) {
  if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&error))
    return fmt::format("unknown flag: {}", unknown->get_option_name());
  if (dynamic_cast<const po::too_many_positional_options_error*>(&error)) return "too many arguments";
  return error.what();
}

void print_command_list(App& app, const Command& group) {
  auto& out = app.out();
  out << "Commands:\n";
  std::size_t width = 0;
  for (const auto& command : group.subcommands) width = std::max(width, command.name.size());
  for (const auto& command : group.subcommands)
    out << fmt::format("  {:<{}}  {}\n", command.name, width, command.summary);
}

// The sub-commands of a command that also runs by itself, after its own help.
void print_subcommands(App& app, const Command& group, const std::string& path) {
  app.out() << "\n";
  print_command_list(app, group);
  app.out() << "\nRun '" << path << " COMMAND --help' for more information on a command.\n";
}

void print_group_help(App& app, const Command& group, const std::string& path, bool root) {
  auto& out = app.out();
  out << "Usage:  " << path << (root ? " [OPTIONS] COMMAND" : " COMMAND") << "\n\n" << group.summary << "\n\n";
  print_command_list(app, group);
  if (root) {
    out << "\nGlobal options:\n"
           "  --root DIR    state root (default: $DBUILD_ROOT, /var/lib/dbuild as root,\n"
           "                $XDG_DATA_HOME/dbuild otherwise)\n"
           "  --max-parallelism N\n"
           "                build steps running at once (default: $DBUILD_MAX_PARALLELISM, else 16;\n"
           "                steps other than RUN also at most one per CPU)\n"
           "  --debug       print debug messages\n"
           "  -h, --help    print this help\n";
  }
  out << "\nRun '" << path << " COMMAND --help' for more information on a command.\n";
}

const Command* find_subcommand(const Command& group, std::string_view name) {
  for (const auto& command : group.subcommands)
    if (command.name == name) return &command;
  return nullptr;
}

// "--max-parallelism" and $DBUILD_MAX_PARALLELISM: a whole number from 1 up.
std::optional<std::size_t> parse_parallelism(std::string_view text) {
  std::size_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
  return value;
}

// Consumes the global options that precede the command name; returns how many args it used, or
// nullopt after a usage error.
std::optional<std::size_t> parse_global_options(App& app, std::span<const std::string> args, int& exit_code) {
  std::size_t index = 0;
  auto& globals = app.globals();
  if (const char* root = std::getenv("DBUILD_ROOT")) globals.root = root;
  auto fail = [&](const std::string& message) {
    exit_code = usage_error(app, "dbuild", message);
    return std::nullopt;
  };
  auto set_parallelism = [&](std::string_view text, std::string_view where) {
    auto value = parse_parallelism(text);
    if (!value) {
      fail(fmt::format("{}: want a whole number from 1 up, got \"{}\"", where, text));
      return false;
    }
    globals.max_parallelism = *value;
    return true;
  };
  if (const char* parallel = std::getenv("DBUILD_MAX_PARALLELISM"); parallel && *parallel)
    if (!set_parallelism(parallel, "DBUILD_MAX_PARALLELISM")) return std::nullopt;
  while (index < args.size() && args[index].starts_with("-") && args[index] != "-") {
    const std::string& flag = args[index];
    if (flag == "--debug" || flag == "-D") {
      globals.debug = true;
    } else if (flag == "--root" || flag == "--max-parallelism") {
      if (index + 1 >= args.size()) return fail("flag needs an argument: " + flag);
      const std::string& value = args[++index];
      if (flag == "--root") globals.root = value;
      else if (!set_parallelism(value, flag)) return std::nullopt;
    } else if (flag.starts_with("--root=")) {
      globals.root = flag.substr(7);
    } else if (flag.starts_with("--max-parallelism=")) {
      if (!set_parallelism(std::string_view(flag).substr(18), "--max-parallelism")) return std::nullopt;
    } else if (flag == "--help" || flag == "-h") {
      break;
    } else {
      return fail(fmt::format("unknown flag: {}", flag));
    }
    ++index;
  }
  return index;
}

}  // namespace

CommandParser::CommandParser(std::string path, std::string usage, std::string summary)
    : path_(std::move(path)), usage_(std::move(usage)), summary_(std::move(summary)) {
  options_.add_options()("help,h", "print this help");
}

void CommandParser::positional(const char* name, int max_count, int min_count) {
  positional_name_ = name;
  max_positionals_ = max_count;
  min_positionals_ = min_count;
  options_.add_options()(name, po::value<std::vector<std::string>>(), "");
  positional_.add(name, max_count);
}

std::optional<int> CommandParser::parse(App& app, std::span<const std::string> args) {
  po::options_description visible("Options");
  for (const auto& option : options_.options())
    if (option->long_name() != positional_name_) visible.add(option);
  std::vector<std::string> argv(args.begin(), args.end());
  try {
    po::store(po::command_line_parser(argv).options(options_).positional(positional_).style(kStyle).run(), values_);
    po::notify(values_);
  } catch (const po::error& error) {
    return usage_error(app, path_, describe(error));
  }
  if (values_.count("help")) {
    app.out() << "Usage:  " << path_ << " " << usage_ << "\n\n" << summary_ << "\n\n" << visible;
    return kExitOk;
  }
  auto count = static_cast<int>(positionals().size());
  if (count < min_positionals_)
    return usage_error(app, path_,
                       fmt::format("\"{}\" requires {} {}", path_, min_positionals_ == max_positionals_ ? "exactly" : "at least",
                                   min_positionals_ == 1 ? "1 argument" : fmt::format("{} arguments", min_positionals_)));
  return std::nullopt;
}

std::vector<std::string> CommandParser::positionals() const {
  if (positional_name_.empty() || !values_.count(positional_name_)) return {};
  return values_[positional_name_].as<std::vector<std::string>>();
}

int usage_error(App& app, const std::string& path, std::string_view message) {
  app.err() << "error: " << message << "\nhint: run '" << path << " --help' for usage\n";
  return kExitUsage;
}

int report_error(App& app, const sdk::Status& status) {
  app.err() << "error: " << status.to_string() << "\n";
  if (const auto& location = status.location(); location && location->line > 0)
    app.err() << "  --> " << location->file << ":" << location->line << "\n";
  if (!status.hint().empty()) app.err() << "hint: " << status.hint() << "\n";
  return kExitFailure;
}

int run_command_tree(App& app, const Command& command, std::span<const std::string> args, const std::string& path) {
  // A command that runs and has sub-commands (`dbuild images` lists, `dbuild images rm` removes).
  if (command.run) {
    const Command* sub = args.empty() ? nullptr : find_subcommand(command, args.front());
    if (!sub && !command.subcommands.empty() && args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
      // Its own flags, then what else it does.
      const int exit_code = command.run(app, args, path);
      print_subcommands(app, command, path);
      return exit_code;
    }
    if (!sub) return command.run(app, args, path);
    return run_command_tree(app, *sub, args.subspan(1), path + " " + std::string(sub->name));
  }

  const bool root = path == "dbuild";
  std::size_t first = 0;
  if (root) {
    int exit_code = kExitOk;
    auto used = parse_global_options(app, args, exit_code);
    if (!used) return exit_code;
    first = *used;
  }
  if (first >= args.size() || args[first] == "--help" || args[first] == "-h" || args[first] == "help") {
    print_group_help(app, command, path, root);
    return kExitOk;
  }
  const std::string& name = args[first];
  if (name.starts_with("-")) return usage_error(app, path, fmt::format("unknown flag: {}", name));
  const Command* sub = find_subcommand(command, name);
  if (!sub) return usage_error(app, path, fmt::format("unknown command \"{}\" for \"{}\"", name, path));
  return run_command_tree(app, *sub, args.subspan(first + 1), path + " " + std::string(name));
}

Command root_command() {
  Command root;
  root.name = "dbuild";
  root.summary = "Build container images from Dockerfiles, with plugins for drivers, exporters, caches and frontends.";
  root.subcommands.push_back(build_command());
  root.subcommands.push_back(du_command());
  root.subcommands.push_back(history_command());
  root.subcommands.push_back(images_command());
  root.subcommands.push_back(imagetools_command());
  root.subcommands.push_back(login_command());
  root.subcommands.push_back(logout_command());
  root.subcommands.push_back(plugin_command());
  root.subcommands.push_back(prune_command());
  root.subcommands.push_back(version_command());
  std::sort(root.subcommands.begin(), root.subcommands.end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
  return root;
}

}  // namespace dbuild::cli
