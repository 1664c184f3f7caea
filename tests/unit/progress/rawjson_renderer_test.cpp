// rawjson_renderer_test.cpp: each event is one JSON line with the right fields.
#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/progress/rawjson_renderer.hpp"
#include "events.hpp"
#include "manual_clock.hpp"

namespace dbuild::progress {
namespace {

using namespace testing;
using namespace std::chrono_literals;

std::vector<nlohmann::json> parse_lines(const std::string& text) {
  std::vector<nlohmann::json> objects;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) objects.push_back(nlohmann::json::parse(line));
  return objects;
}

TEST_CASE("rawjson timestamps are RFC 3339 in UTC with nanoseconds", "[progress][rawjson]") {
  CHECK(rfc3339_nanos(kEpoch + 123'456'789) == "2024-05-01T12:34:56.123456789Z");
  CHECK(rfc3339_nanos(0) == "1970-01-01T00:00:00.000000000Z");
  CHECK(rfc3339_nanos(-1) == "1969-12-31T23:59:59.999999999Z");
}

TEST_CASE("rawjson prints one object per event with the fields it sets", "[progress][rawjson]") {
  ManualClock clock;
  std::ostringstream out;
  RawJsonRenderer renderer(out, clock, RawJsonOptions{.write_interval = 0ms});
  auto start = started("sha256:aa", "[2/3] RUN make", 0);
  start.inputs = {"sha256:bb"};
  start.location = sdk::SourceLocation{"Dockerfile", 4, 4};
  renderer.emit(start);
  renderer.emit(output("sha256:aa", "hello\n", 100, 2));
  renderer.emit(status("sha256:aa", "copying files", 5, 10, 150));
  renderer.emit(failed("sha256:aa", "exit code: 2", 200));
  renderer.emit(warning("", "Rule: text", 9, 250));
  renderer.finish();

  auto objects = parse_lines(out.str());
  REQUIRE(objects.size() == 5);
  CHECK(objects[0]["type"] == "started");
  CHECK(objects[0]["vertex"] == "sha256:aa");
  CHECK(objects[0]["name"] == "[2/3] RUN make");
  CHECK(objects[0]["timestamp"] == "2024-05-01T12:34:56.000000000Z");
  CHECK(objects[0]["inputs"] == nlohmann::json::array({"sha256:bb"}));
  CHECK(objects[0]["location"] == nlohmann::json{{"file", "Dockerfile"}, {"line", 4}});
  CHECK_FALSE(objects[0].contains("data"));
  CHECK_FALSE(objects[0].contains("stream"));

  CHECK(objects[1]["type"] == "log");
  CHECK(objects[1]["stream"] == 2);
  CHECK(objects[1]["data"] == "hello\n");
  CHECK(objects[1]["timestamp"] == "2024-05-01T12:34:56.100000000Z");

  CHECK(objects[2]["type"] == "status");
  CHECK(objects[2]["id"] == "copying files");
  CHECK(objects[2]["current"] == 5);
  CHECK(objects[2]["total"] == 10);

  CHECK(objects[3]["type"] == "failed");
  CHECK(objects[3]["data"] == "exit code: 2");

  CHECK(objects[4]["type"] == "warning");
  CHECK(objects[4]["vertex"] == "");
  CHECK(objects[4]["location"]["line"] == 9);
  CHECK(out.str().find("\"type\":\"started\"") == 1);  // type comes first, for people reading along
}

TEST_CASE("rawjson sends output that is not UTF-8 as base64", "[progress][rawjson]") {
  sdk::ProgressEvent event = output("v", std::string("ok\xFF\xFE", 4), 0);
  auto object = nlohmann::json::parse(event_json_line(event, 0));
  CHECK(object["data"] == "b2v//g==");
  CHECK(object["data_encoding"] == "base64");

  auto text = nlohmann::json::parse(event_json_line(output("v", "caf\xC3\xA9", 0), 0));
  CHECK(text["data"] == "caf\xC3\xA9");
  CHECK_FALSE(text.contains("data_encoding"));
}

TEST_CASE("rawjson keeps the log tail like every renderer", "[progress][rawjson]") {
  ManualClock clock;
  std::ostringstream out;
  RawJsonRenderer renderer(out, clock);
  renderer.emit(started("v", "[1/1] RUN make", 0));
  renderer.emit(output("v", "one\ntwo\n", 10));
  renderer.emit(failed("v", "exit code: 1", 20));
  renderer.finish();
  CHECK(renderer.last_lines("v", 5).size() == 2);
  REQUIRE(renderer.failures().size() == 1);
  CHECK(renderer.failures()[0].lines.back().text == "two");
  CHECK(parse_lines(out.str()).size() == 3);
}

}  // namespace
}  // namespace dbuild::progress
