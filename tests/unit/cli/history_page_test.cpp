// history_page_test.cpp: the data of the history report's page (history_page.hpp): step times,
// the error's Dockerfile lines, the failed step's last output, JSON that cannot close its
// <script>, and the template's one placeholder. The page drawn in a browser is tested in
// tests/integration/history_report_test.cpp.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/history/history_page.hpp"

using namespace dbuild::cli::history_cli;
using dbuild::history::BuildRecord;
using dbuild::history::StepRecord;
using nlohmann::json;

namespace {

constexpr std::int64_t kSecond = 1000000000;

BuildRecord failed_build() {
  BuildRecord build;
  build.ref = "abc123";
  build.name = "app";
  build.status = "failed";
  build.started = 100 * kSecond;
  build.completed = 103 * kSecond;
  build.error = "process \"/bin/sh -c exit 7\" did not complete successfully: exit code: 7";
  build.error_file = "Dockerfile";
  build.error_line = 3;
  build.dockerfile_text = "FROM busybox\nCOPY . /src\nRUN exit 7\nRUN echo never\n";
  build.build_args = {{"NOTE", "<b>"}};
  return build;
}

StepRecord step(int number, std::string state, std::int64_t started, std::int64_t completed) {
  StepRecord record;
  record.number = number;
  record.name = "step " + std::to_string(number);
  record.state = std::move(state);
  record.started = started;
  record.completed = completed;
  return record;
}

}  // namespace

TEST_CASE("a build's page data has step times in milliseconds since the build started", "[cli][history][report]") {
  auto steps = std::vector<StepRecord>{step(1, "done", 100 * kSecond, 101 * kSecond + kSecond / 2),
                                       step(2, "skipped", 0, 0)};
  const json page = page_build(failed_build(), steps);
  CHECK(page["duration_ms"] == 3000.0);
  CHECK(page["build_args"]["NOTE"] == "<b>");
  REQUIRE(page["steps"].size() == 2);
  CHECK(page["steps"][0]["start_ms"] == 0.0);
  CHECK(page["steps"][0]["end_ms"] == 1500.0);
  CHECK(page["steps"][1]["start_ms"].is_null());  // never started
  CHECK(page["steps"][1]["end_ms"].is_null());
  CHECK(page["steps"][1]["state"] == "skipped");
}

TEST_CASE("a running build's page has no duration", "[cli][history][report]") {
  BuildRecord build;
  build.started = kSecond;
  CHECK(page_build(build, {})["duration_ms"].is_null());
  CHECK(page_build(build, {})["error"].is_null());
}

TEST_CASE("the error's Dockerfile lines come from the text the build read, the failing one marked",
          "[cli][history][report]") {
  const json page = page_build(failed_build(), {});
  CHECK(page["error"]["location"] == "Dockerfile:3");
  const json& lines = page["error"]["snippet"];
  REQUIRE(lines.size() == 5);  // the whole short file, with the empty line after its last newline
  CHECK(lines[2] == json({{"number", 3}, {"text", "RUN exit 7"}, {"marked", true}}));
  CHECK(lines[0]["marked"] == false);
}

TEST_CASE("a failed step keeps the last 20 lines of its output", "[cli][history][report]") {
  auto failing = step(1, "failed", 100 * kSecond, 101 * kSecond);
  for (int line = 1; line <= 30; ++line) failing.log += "line " + std::to_string(line) + "\n";
  failing.exit_code = 7;
  auto done = step(2, "done", 100 * kSecond, 101 * kSecond);
  done.log = "not kept\n";
  const json page = page_build(failed_build(), {failing, done});
  const auto tail = page["steps"][0]["log_tail"].get<std::string>();
  CHECK(tail.rfind("line 11\n", 0) == 0);
  CHECK(tail.size() >= 7);
  CHECK(tail.substr(tail.size() - 7) == "line 30");
  CHECK(page["steps"][0]["exit_code"] == 7);
  CHECK_FALSE(page["steps"][1].contains("log_tail"));
}

TEST_CASE("the page's JSON cannot end its <script> or start a comment", "[cli][history][report]") {
  const json data = {{"name", "</script><!-- & \xe2\x80\xa8 \xe2\x80\xa9"}, {"bad", std::string("\xff")}};
  const std::string text = script_json(data);
  CHECK(text.find('<') == std::string::npos);
  CHECK(text.find('>') == std::string::npos);
  CHECK(text.find('&') == std::string::npos);
  CHECK(text.find("\xe2\x80\xa8") == std::string::npos);
  CHECK(text.find("\xe2\x80\xa9") == std::string::npos);
  const json back = json::parse(text);
  CHECK(back["name"] == data["name"]);
  CHECK(back["bad"] == "\xef\xbf\xbd");  // invalid UTF-8 becomes U+FFFD
}

TEST_CASE("the page is the template with the data in its one placeholder", "[cli][history][report]") {
  PageData data;
  data.builds.push_back(page_build(failed_build(), {}));
  auto page = render_page(data, "<head>__DBUILD_REPORT_DATA__</head>");
  REQUIRE(page);
  CHECK(page->rfind("<head>{", 0) == 0);
  CHECK_THAT(*page, Catch::Contains("\"kind\":\"build\"") && Catch::EndsWith("}</head>"));

  auto none = render_page(data, "<head></head>");
  REQUIRE_FALSE(none);
  CHECK(none.status().code() == dbuild::sdk::Code::Internal);
  CHECK_FALSE(render_page(data, "__DBUILD_REPORT_DATA__ __DBUILD_REPORT_DATA__"));
}

TEST_CASE("the embedded template holds one placeholder and no address to fetch", "[cli][history][report]") {
  const std::string_view page = report_template();
  REQUIRE(page.find("__DBUILD_REPORT_DATA__") != std::string_view::npos);
  CHECK(page.find("__DBUILD_REPORT_DATA__") == page.rfind("__DBUILD_REPORT_DATA__"));
  CHECK(page.find("src=") == std::string_view::npos);
  CHECK(page.find("@import") == std::string_view::npos);
  CHECK(page.find("url(") == std::string_view::npos);
  CHECK(render_page(PageData{}));
}
