// history_report_test.cpp: `dbuild history report` and `dbuild history open` through the real
// binary: after real builds (ok, cached, failed), the pages render in headless Chromium without a
// console message or a network request, with one timeline bar per recorded step, and nothing a
// build recorded (step names, build args, errors) can inject markup. Screenshots are kept in
// build/test-output/history-report/.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "history_workspace.hpp"
#include "support/skip.hpp"

namespace fs = std::filesystem;
using dbuild::test::build;
using dbuild::test::history_json;
using dbuild::test::ProcessResult;
using dbuild::test::read_file;
using dbuild::test::run_dbuild;
using dbuild::test::run_process;
using dbuild::test::TempDir;
using dbuild::test::Workspace;
using dbuild::test::write_dockerfile;
using dbuild::test::write_file;
using nlohmann::json;

namespace {

// Markup that would set data-pwned on <body> if the page ever parsed recorded text as HTML.
constexpr const char* kInjection =
    "<script>document.body.dataset.pwned=1</script><img src=x onerror=document.body.dataset.pwned=2>";

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

fs::path find_chromium() {
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, end - start)) / "chromium";
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

fs::path output_dir() {
  const fs::path dir = fs::path(DBUILD_TEST_OUTPUT_DIR) / "history-report";
  fs::create_directories(dir);
  return dir;
}

// Headless Chromium with no way out to the network (every host name fails to resolve, so a page
// that fetched anything would log a console error), a profile of its own, and console messages
// logged to stderr as "...:CONSOLE:LINE] "message", source: ...".
class Chromium {
 public:
  explicit Chromium(fs::path binary) : binary_(std::move(binary)) {}

  struct Page {
    std::string dom;
    std::vector<std::string> console;
  };

  Page dump_dom(const std::string& url) {
    auto result = run({"--enable-logging=stderr", "--v=0", "--dump-dom", url});
    Page page{result.out, {}};
    for (const auto& line : dbuild::test::lines_of(result.err))
      if (line.find(":CONSOLE") != std::string::npos) page.console.push_back(line);
    return page;
  }

  void screenshot(const std::string& url, const fs::path& file) {
    fs::remove(file);
    auto result = run({"--hide-scrollbars", "--window-size=1280,1600", "--screenshot=" + file.string(), url});
    INFO(result.err);
    REQUIRE(fs::exists(file));
    CHECK(fs::file_size(file) > 10000);
    std::cout << "history report screenshot: " << file.string() << std::endl;
  }

 private:
  ProcessResult run(std::vector<std::string> args) {
    std::vector<std::string> argv = {binary_.string(), "--headless", "--no-sandbox", "--disable-gpu",
                                     "--no-first-run", "--user-data-dir=" + (profile_.path() / "profile").string(),
                                     "--host-resolver-rules=MAP * ~NOTFOUND"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = run_process(argv);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result;
  }

  fs::path binary_;
  TempDir profile_;
};

// The checks every page passes: drawn without errors or console messages, nothing injected.
void check_clean(const Chromium::Page& page) {
  const auto body = page.dom.find("<body");
  INFO(page.dom.substr(body == std::string::npos ? 0 : body, 1500));
  for (const auto& line : page.console) UNSCOPED_INFO("console: " << line);
  CHECK(page.console.empty());
  CHECK_THAT(page.dom, Catch::Contains("data-report-ready=\"ok\""));
  CHECK(page.dom.find("data-report-errors=\"") == std::string::npos);
  CHECK(page.dom.find("data-pwned=\"") == std::string::npos);
  CHECK(page.dom.find("<img src=\"x\"") == std::string::npos);
}

// One bar per recorded step of `ref`, in the timeline of `ref`.
void check_timeline(const Chromium::Page& page, const json& build) {
  const auto ref = build["ref"].get<std::string>();
  CHECK_THAT(page.dom, Catch::Contains("data-timeline=\"" + ref + "\""));
  CHECK(count_of(page.dom, "class=\"tl-bar ") == build["steps"].size());
  std::size_t cached = 0;
  for (const auto& step : build["steps"]) cached += step["state"] == "cached";
  CHECK(count_of(page.dom, "class=\"tl-bar cached\"") == cached);
}

}  // namespace

TEST_CASE("the history report renders in headless Chromium with one timeline bar per step and no markup from records",
          "[integration][history][report]") {
  Workspace workspace;
  const fs::path chromium = find_chromium();
  if (chromium.empty()) dbuild::test::skip_test("chromium is not installed (share/setup/install-deps test)");
  // Two stages that run at the same time, then a final stage that takes from both.
  write_dockerfile(workspace.context,
                   "FROM busybox AS left\nRUN echo left > /left && sleep 1\n"
                   "FROM busybox AS right\nRUN echo right > /right && sleep 1\n"
                   "FROM busybox\nARG NOTE\nCOPY --from=left /left /left\nCOPY --from=right /right /right\n"
                   "COPY a.txt /a.txt\nRUN echo \"$NOTE\" > /note\n");
  const std::vector<std::string> note = {"--build-arg", std::string("NOTE=") + kInjection};
  REQUIRE(build(workspace, note).exit_code == 0);
  REQUIRE(build(workspace, note).exit_code == 0);  // all cached
  write_dockerfile(workspace.context, std::string("FROM busybox\nRUN echo \"") + kInjection +
                                          "\" && exit 7\nRUN echo never-runs\n");
  REQUIRE(build(workspace, {}).exit_code == 1);
  const auto listed = history_json(workspace, {"ls"});
  REQUIRE(listed.size() == 3);
  std::vector<json> builds;  // newest first: failed, cached, ok
  for (const auto& entry : listed) builds.push_back(history_json(workspace, {"inspect", entry["ref"]}));
  CHECK(builds[0]["status"] == "failed");

  const fs::path out = output_dir();
  const fs::path report = out / "report.html";
  auto written = workspace.dbuild({"history", "report", "--since", "1h", "-o", report.string()});
  INFO(written.err);
  REQUIRE(written.exit_code == 0);
  CHECK(written.out == report.string() + "\n");
  // The recorded text is only ever in the page's JSON, with "<" escaped.
  const std::string html = read_file(report);
  CHECK(html.find(kInjection) == std::string::npos);
  CHECK(html.find("<script>document.body") == std::string::npos);

  Chromium browser(chromium);
  const std::string url = "file://" + report.string();
  {  // the report shows every build in the chart and the table, and each one's timeline
    auto page = browser.dump_dom(url);
    check_clean(page);
    CHECK(count_of(page.dom, "data-chart-build=") == 3);
    CHECK(count_of(page.dom, "data-build-row=") == 3);
    check_timeline(page, builds[0]);  // the newest is shown first
    CHECK_THAT(page.dom, Catch::Contains("data-error="));
    CHECK_THAT(page.dom, Catch::Contains("&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;"));
    for (const auto& chosen : {builds[1], builds[2]}) {
      auto other = browser.dump_dom(url + "#build=" + chosen["ref"].get<std::string>());
      check_clean(other);
      check_timeline(other, chosen);
      CHECK_THAT(other.dom, Catch::Contains("NOTE=&lt;script&gt;"));  // the build arg, as text
    }
    browser.screenshot(url, out / "report.png");
  }
  {  // a build's own page shows its error with the Dockerfile line, and its timeline
    const fs::path failed = out / "failed-build.html";
    REQUIRE(workspace.dbuild({"history", "open", "^0", "-o", failed.string()}).exit_code == 0);
    auto page = browser.dump_dom("file://" + failed.string());
    check_clean(page);
    check_timeline(page, builds[0]);
    CHECK(count_of(page.dom, "data-state=\"failed\"") >= 1);
    CHECK(count_of(page.dom, "class=\"tl-bar skipped\"") == 1);
    CHECK_THAT(page.dom, Catch::Contains("class=\"marked\"><span class=\"no\">2</span>RUN echo"));
    browser.screenshot("file://" + failed.string(), out / "failed-build.png");
    const fs::path ok = out / "parallel-build.html";
    REQUIRE(workspace.dbuild({"history", "open", "^2", "-o", ok.string()}).exit_code == 0);
    auto parallel = browser.dump_dom("file://" + ok.string());
    check_clean(parallel);
    check_timeline(parallel, builds[2]);
    CHECK_THAT(parallel.dom, Catch::Contains("Running at once (at most 2)"));
    browser.screenshot("file://" + ok.string(), out / "parallel-build.png");
  }
}

TEST_CASE("history open finds a build by full ref, prefix, none, ^0 and ^1, and hands the page to $BROWSER",
          "[integration][history][report]") {
  Workspace workspace;
  write_dockerfile(workspace.context, "FROM busybox\nRUN echo first\n");
  REQUIRE(build(workspace, {}).exit_code == 0);
  write_dockerfile(workspace.context, "FROM busybox\nRUN echo second\n");
  REQUIRE(build(workspace, {}).exit_code == 0);
  const auto builds = history_json(workspace, {"ls"});
  REQUIRE(builds.size() == 2);
  const auto latest = builds[0]["ref"].get<std::string>(), before = builds[1]["ref"].get<std::string>();
  const std::vector<std::pair<std::string, std::string>> forms = {
      {latest, latest}, {before, before}, {before.substr(0, 6), before}, {"^0", latest}, {"^1", before}};
  for (const auto& [form, expected] : forms) {
    INFO("REF " << form);
    auto page = workspace.dbuild({"history", "open", form, "-o", "-"});
    REQUIRE(page.exit_code == 0);
    CHECK_THAT(page.out, Catch::Contains("\"ref\":\"" + expected + "\""));
    CHECK(count_of(page.out, "\"ref\":\"") == 1);
  }
  auto none = workspace.dbuild({"history", "open", "-o", "-"});
  CHECK_THAT(none.out, Catch::Contains("\"ref\":\"" + latest + "\""));

  auto unknown = workspace.dbuild({"history", "open", "zzzzzzzz"});
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.err, Catch::Contains("no build zzzzzzzz"));
  auto too_far = workspace.dbuild({"history", "open", "^2"});
  CHECK(too_far.exit_code == 1);
  CHECK_THAT(too_far.err, Catch::Contains("there are not 3 builds recorded"));
  auto not_a_count = workspace.dbuild({"history", "open", "^x"});
  CHECK(not_a_count.exit_code == 1);
  CHECK_THAT(not_a_count.err, Catch::Contains("\"^x\": want ^N"));

  // $BROWSER gets the written file; dbuild does not wait for it.
  const fs::path opened = workspace.dir.path() / "opened";
  const fs::path browser = workspace.dir.path() / "browser";
  write_file(browser, "#!/bin/sh\necho \"$1\" > " + opened.string() + ".tmp && mv " + opened.string() + ".tmp " +
                          opened.string() + "\n");
  fs::permissions(browser, fs::perms::owner_all);
  auto shown = run_dbuild({"--root", workspace.root.string(), "history", "open", "^1"}, {{"BROWSER", browser.string()}});
  INFO(shown.err);
  REQUIRE(shown.exit_code == 0);
  REQUIRE(shown.out.size() > 1);
  const fs::path page = shown.out.substr(0, shown.out.size() - 1);
  for (int tries = 0; tries < 100 && !fs::exists(opened); ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(fs::exists(opened));
  CHECK(read_file(opened) == page.string() + "\n");
  CHECK_THAT(read_file(page), Catch::Contains("\"ref\":\"" + before + "\""));
  fs::remove(page);

  // A $BROWSER that cannot start is a warning: the page is written and its path printed.
  auto missing = run_dbuild({"--root", workspace.root.string(), "history", "open"},
                            {{"BROWSER", "no-such-browser-here"}});
  CHECK(missing.exit_code == 0);
  CHECK_THAT(missing.err, Catch::Contains("warning:") && Catch::Contains("no-such-browser-here"));
  REQUIRE(missing.out.size() > 1);
  CHECK(fs::remove(fs::path(missing.out.substr(0, missing.out.size() - 1))));
}

TEST_CASE("history open and report refuse bad input with one line", "[integration][history][report]") {
  TempDir dir;
  const std::string root = (dir.path() / "state").string();
  auto history = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", root, "history"});
    return run_dbuild(args);
  };
  auto bad_since = history({"report", "--since", "yesterday", "-o", "-"});
  CHECK(bad_since.exit_code == 2);
  CHECK_THAT(bad_since.err, Catch::Contains("--since") && Catch::Contains("yesterday"));
  CHECK(history({"open", "a", "b"}).exit_code == 2);
  CHECK(history({"open", "--colour"}).exit_code == 2);
  CHECK(history({"report", "extra"}).exit_code == 2);

  auto nothing = history({"open"});
  CHECK(nothing.exit_code == 1);
  CHECK_THAT(nothing.err, Catch::Contains("no builds recorded yet"));

  // No history yet: the report is a page that says so.
  const fs::path empty = dir.path() / "empty.html";
  auto report = history({"report", "-o", empty.string()});
  CHECK(report.exit_code == 0);
  CHECK_THAT(read_file(empty), Catch::Contains("\"builds\":[]"));

  const std::string nowhere = (dir.path() / "missing-dir" / "report.html").string();
  auto unwritable = history({"report", "-o", nowhere});
  CHECK(unwritable.exit_code == 1);
  CHECK_THAT(unwritable.err, Catch::Contains(nowhere));
  CHECK(std::count(unwritable.err.begin(), unwritable.err.end(), '\n') == 1);
}
