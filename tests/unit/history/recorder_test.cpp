// recorder_test.cpp: the recorder turns progress events into step records: numbering, states,
// logs up to the ceiling with the dropped bytes counted, secrets masked, and the solver's steps
// that never reported (skipped after a failure, left out after a success).
#include <catch2/catch.hpp>

#include "history/recorder.hpp"
#include "support/recording_progress.hpp"

using dbuild::history::Recorder;
using dbuild::history::SolvedStep;
namespace sdk = dbuild::sdk;

namespace {

sdk::ProgressEvent event(sdk::ProgressType type, const std::string& vertex, std::int64_t time, std::string data = "") {
  sdk::ProgressEvent out;
  out.type = type;
  out.vertex = vertex;
  out.name = "[build 2/4] RUN step " + vertex;
  out.timestamp_ns = time;
  out.data = std::move(data);
  return out;
}

}  // namespace

TEST_CASE("steps are numbered as they first report, with their states, times and stage", "[history][recorder]") {
  dbuild::test::RecordingProgress downstream;
  Recorder recorder(downstream);
  recorder.emit(event(sdk::ProgressType::Started, "sha256:b", 10));
  recorder.emit(event(sdk::ProgressType::Cached, "sha256:a", 11));
  recorder.emit(event(sdk::ProgressType::Log, "sha256:b", 12, "hello\n"));
  recorder.emit(event(sdk::ProgressType::Failed, "sha256:b", 20, "process \"x\" did not complete successfully: exit code: 9"));
  CHECK(downstream.events().size() == 4);  // everything passes through

  auto steps = recorder.steps({{"sha256:b", "b", "failed", "key-b", "{\"op\":1}", "", "Dockerfile", 3},
                               {"sha256:c", "[build 3/4] RUN later", "skipped", "key-c", "", "", "", 0}},
                              true);
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].digest == "sha256:b");
  CHECK(steps[0].number == 1);
  CHECK(steps[0].state == "failed");
  CHECK(steps[0].exit_code == 9);
  CHECK(steps[0].log == "hello\n");
  CHECK(steps[0].started == 10);
  CHECK(steps[0].completed == 20);
  CHECK(steps[0].stage == "build");
  CHECK(steps[0].position == 2);
  CHECK(steps[0].cache_key == "key-b");
  CHECK(steps[0].source_line == 3);
  CHECK(steps[1].state == "cached");
  CHECK(steps[2].number == 3);
  CHECK(steps[2].state == "skipped");
  CHECK(steps[2].position == 3);

  // After a success, steps that never reported were not needed: left out.
  CHECK(recorder.steps({{"sha256:c", "[build 3/4] RUN later", "skipped", "", "", "", "", 0}}, false).size() == 2);
}

TEST_CASE("a step's log keeps what fits under the ceiling and counts the rest", "[history][recorder]") {
  dbuild::test::RecordingProgress downstream;
  Recorder recorder(downstream, 10);
  recorder.emit(event(sdk::ProgressType::Started, "sha256:a", 1));
  recorder.emit(event(sdk::ProgressType::Log, "sha256:a", 2, "123456"));
  recorder.emit(event(sdk::ProgressType::Log, "sha256:a", 3, "7890abcdef"));
  auto steps = recorder.steps({}, true);
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].log == "1234567890");
  CHECK(steps[0].log_bytes == 16);
  CHECK(steps[0].log_dropped == 6);
  CHECK(steps[0].state == "cancelled");  // started, never finished
}

TEST_CASE("secret values are masked in stored logs", "[history][recorder]") {
  dbuild::test::RecordingProgress downstream;
  Recorder recorder(downstream, 1 << 20, {"s3cr3t-value"});
  recorder.emit(event(sdk::ProgressType::Log, "sha256:a", 2, "token=s3cr3t-value and s3cr3t-value\n"));
  recorder.emit(event(sdk::ProgressType::Completed, "sha256:a", 3));
  auto steps = recorder.steps({}, false);
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].log == "token=**** and ****\n");
  CHECK(downstream.events()[0].data.find("s3cr3t-value") != std::string::npos);  // the live view is the user's
}

TEST_CASE("exit codes are read from BuildKit's error wording", "[history][recorder]") {
  CHECK(dbuild::history::exit_code_of("process \"/bin/sh -c false\" did not complete successfully: exit code: 1") == 1);
  CHECK_FALSE(dbuild::history::exit_code_of("something else").has_value());
}
