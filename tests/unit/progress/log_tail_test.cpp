// log_tail_test.cpp: line splitting across chunks, the per-step ring of last lines, failures.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/progress/log_tail.hpp"
#include "events.hpp"

namespace dbuild::progress {
namespace {

using namespace testing;

struct Seen {
  std::vector<TailLine> lines;
  void operator()(std::int64_t offset_ns, std::string_view text) { lines.push_back({offset_ns, std::string(text)}); }
};

TEST_CASE("the log tail splits output into lines wherever the chunks were cut", "[progress][tail]") {
  LogTail tail;
  Seen seen;
  tail.track(started("v", "[1/1] RUN x", 0), 0, seen);
  tail.track(output("v", "al", 10), 0, seen);
  tail.track(output("v", "pha\nbe", 20), 0, seen);
  tail.track(output("v", "ta\n\ngamma", 30), 0, seen);
  CHECK(seen.lines == std::vector<TailLine>{{10 * kMs, "alpha"}, {20 * kMs, "beta"}, {30 * kMs, ""}});
  CHECK(tail.unfinished_line("v") == "gamma");
  tail.track(completed("v", 40), 0, seen);
  CHECK(seen.lines.back() == TailLine{30 * kMs, "gamma"});
  CHECK(tail.unfinished_line("v").empty());
}

TEST_CASE("the log tail keeps only the last lines of each step", "[progress][tail]") {
  LogTail tail(3);
  Seen seen;
  tail.track(started("v", "step", 0), 0, seen);
  tail.track(output("v", "1\n2\n3\n4\n5\n", 0), 0, seen);
  auto last = tail.last_lines("v", 10);
  REQUIRE(last.size() == 3);
  CHECK(last[0].text == "3");
  CHECK(last[2].text == "5");
  CHECK(tail.last_lines("v", 1).at(0).text == "5");
  CHECK(tail.last_lines("unknown", 5).empty());
  CHECK(seen.lines.size() == 5);
}

TEST_CASE("the log tail measures offsets from the start, or zero before it", "[progress][tail]") {
  LogTail tail;
  Seen seen;
  tail.track(output("v", "early\n", 5), 0, seen);
  tail.track(started("v", "step", 100), 0, seen);
  tail.track(output("v", "late\n", 350), 0, seen);
  CHECK(seen.lines == std::vector<TailLine>{{0, "early"}, {250 * kMs, "late"}});
}

TEST_CASE("the log tail records failures with the step's name and last lines", "[progress][tail]") {
  LogTail tail;
  Seen seen;
  tail.track(started("v", "[2/2] RUN make", 0), 0, seen);
  tail.track(output("v", "boom", 10, 2), 0, seen);
  tail.track(failed("v", "exit code: 2", 20), 0, seen);
  tail.track(failed("v", "exit code: 2", 25), 0, seen);  // said twice, recorded once
  tail.track(started("w", "[1/2] RUN other", 0), 0, seen);
  tail.track(cancelled("w", 30), 0, seen);
  REQUIRE(tail.failures().size() == 1);
  const auto& failure = tail.failures()[0];
  CHECK(failure.vertex == "v");
  CHECK(failure.name == "[2/2] RUN make");
  CHECK(failure.message == "exit code: 2");
  CHECK(failure.lines == std::vector<TailLine>{{10 * kMs, "boom"}});
  CHECK(tail.name("w") == "[1/2] RUN other");
}

TEST_CASE("the log tail cuts a line that never ends", "[progress][tail]") {
  LogTail tail;
  Seen seen;
  tail.track(started("v", "step", 0), 0, seen);
  std::string chunk(LineSplitter::kMaxLineBytes / 4, 'x');
  for (int i = 0; i < 5; ++i) tail.track(output("v", chunk, i), 0, seen);
  REQUIRE(seen.lines.size() == 1);
  CHECK(seen.lines[0].text.size() == LineSplitter::kMaxLineBytes);
  CHECK(tail.unfinished_line("v").size() == chunk.size());
}

}  // namespace
}  // namespace dbuild::progress
