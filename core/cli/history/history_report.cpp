// history_report.cpp: `dbuild history open [REF]` (one build's page: its summary, error and step
// timeline) and `dbuild history report [--since 7d]` (every build since then: duration and
// cache hits over time, a table, each build's timeline). Both write one self-contained HTML file
// (history_page.hpp); `open` also shows it in the desktop's browser when there is one.
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <ostream>

#include "cli/history/history_commands.hpp"
#include "cli/history/history_common.hpp"
#include "cli/history/history_page.hpp"
#include "dbuild/sdk/time.hpp"
#include "os/subprocess.hpp"

extern char** environ;

namespace dbuild::cli {
namespace {

namespace fs = std::filesystem;
using namespace history_cli;

// The build's page data; failed builds' steps are read with their logs, for the failed step's
// last lines of output.
sdk::Result<nlohmann::json> build_for_page(history::HistoryStore& store, const history::BuildRecord& build) {
  auto steps = store.steps(build.id, build.status == "failed");
  if (!steps) return steps.status().with_context("reading the steps of build " + build.ref);
  return page_build(build, *steps);
}

// Writes `page` to `output`: "-" is stdout, "" a new file in the temporary directory. Returns the
// path written ("-" for stdout).
sdk::Result<std::string> write_page(App& app, const std::string& page, const std::string& output,
                                    const std::string& prefix) {
  if (output == "-") {
    app.out() << page;
    return std::string("-");
  }
  if (!output.empty()) {
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out << page;
    out.close();
    if (!out) return sdk::Status::unavailable("writing " + output + ": " + std::strerror(errno));
    return output;
  }
  std::error_code error;
  const fs::path dir = fs::temp_directory_path(error);
  std::string path = ((error ? fs::path("/tmp") : dir) / (prefix + "-XXXXXX.html")).string();
  const int fd = ::mkstemps(path.data(), 5);
  if (fd < 0) return sdk::Status::unavailable("creating a file like " + path + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < page.size()) {
    const auto count = ::write(fd, page.data() + written, page.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return sdk::Status::unavailable("writing " + path + ": " + why);
    }
    written += static_cast<std::size_t>(count);
  }
  if (::close(fd) != 0) return sdk::Status::unavailable("writing " + path + ": " + std::strerror(errno));
  return path;
}

// What shows the page: $BROWSER when set (the first of its ':'-separated programs, which gets
// the file as its one argument), else xdg-open when a desktop could show it: stdout is a terminal
// (someone is looking), a graphical session is there ($DISPLAY or $WAYLAND_DISPLAY; without one
// xdg-open would start a text browser with no terminal) and xdg-open is on PATH. "": nothing.
std::string page_opener() {
  if (const char* browser = std::getenv("BROWSER"); browser && *browser) {
    const std::string programs = browser;
    return programs.substr(0, programs.find(':'));
  }
  if (::isatty(STDOUT_FILENO) != 1) return "";
  if (!std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY")) return "";
  if (auto found = os::find_program("xdg-open")) return found->string();
  return "";
}

// Starts `opener file` (`opener` looked up in PATH) in a session of its own with no terminal,
// and does not wait: a browser may keep running long after dbuild exits. Errors: unavailable.
sdk::Status launch_detached(const std::string& opener, const std::string& file) {
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  posix_spawn_file_actions_init(&actions);
  for (int fd = 0; fd <= 2; ++fd) posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
  std::string arg0 = opener, arg1 = file;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  const int result = ::posix_spawnp(&pid, opener.c_str(), &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (result != 0) return sdk::Status::unavailable("starting " + opener + ": " + std::strerror(result));
  return sdk::Status::ok();
}

std::string output_option(const po::variables_map& values) {
  return values.count("output") ? values["output"].as<std::string>() : std::string();
}

int run_open(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] [REF]",
                       "Write a build's page (summary, error, a timeline of its steps) as one HTML file, print "
                       "its path and open it: with $BROWSER when set, else with xdg-open when stdout is a "
                       "terminal in a graphical session. REF: a ref or a unique prefix of one; none or ^0 is "
                       "the latest build, ^1 the one before it.");
  parser.add_options()("output,o", po::value<std::string>(),
                       "write the page to FILE (\"-\": stdout) instead of a new temporary file");
  parser.positional("ref", 1, 0);
  if (auto exit = parser.parse(app, args)) return *exit;
  auto found = find_build(app, parser.positionals().empty() ? "" : parser.positionals().front());
  if (!found) return report_error(app, found.status());
  auto build = build_for_page(*found->store, found->build);
  if (!build) return report_error(app, build.status());
  PageData data;
  data.generated_ns = sdk::now_ns();
  data.builds.push_back(std::move(*build));
  auto page = render_page(data);
  if (!page) return report_error(app, page.status());
  auto written = write_page(app, *page, output_option(parser.values()), "dbuild-build-" + found->build.ref);
  if (!written) return report_error(app, written.status());
  if (*written == "-") return kExitOk;
  app.out() << *written << "\n";
  if (const auto opener = page_opener(); !opener.empty())
    if (auto status = launch_detached(opener, *written); !status) app.err() << "warning: " << status.to_string() << "\n";
  return kExitOk;
}

int run_report(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS]",
                       "Write a report of the builds of a period as one HTML file: build duration and cache hits "
                       "over time, a table of the builds and each one's timeline. Prints the file's path.");
  parser.add_options()("since", po::value<std::string>()->default_value("7d"),
                       "the builds started since (90m, 24h, 7d)")(
      "output,o", po::value<std::string>(), "write the report to FILE (\"-\": stdout) instead of a new temporary file");
  if (auto exit = parser.parse(app, args)) return *exit;
  PageData data;
  data.kind = "report";
  data.generated_ns = sdk::now_ns();
  data.since = parser.values()["since"].as<std::string>();
  auto age = parse_age_ns(data.since);
  if (!age) return usage_error(app, path, age.status().with_context("--since").to_string());
  data.since_ns = data.generated_ns - *age;
  if (auto store = open_history(app)) {
    history::BuildFilter filter;
    filter.since = data.since_ns;
    auto builds = (*store)->list(filter);
    if (!builds) return report_error(app, builds.status());
    for (const auto& record : *builds) {
      auto build = build_for_page(**store, record);
      if (!build) return report_error(app, build.status());
      data.builds.push_back(std::move(*build));
    }
  } else if (store.status().code() != sdk::Code::NotFound) {
    return report_error(app, store.status());
  }
  auto page = render_page(data);
  if (!page) return report_error(app, page.status());
  auto written = write_page(app, *page, output_option(parser.values()), "dbuild-report");
  if (!written) return report_error(app, written.status());
  if (*written != "-") app.out() << *written << "\n";
  return kExitOk;
}

}  // namespace

Command history_open_command() {
  return {"open", "Write a build's page (timeline, error) as HTML and open it", run_open, {}};
}

Command history_report_command() {
  return {"report", "Write an HTML report of recent builds", run_report, {}};
}

}  // namespace dbuild::cli
