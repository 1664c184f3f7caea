// history_stats_test.cpp: `history stats`'s numbers from a real history.db: statuses, median and
// p95 of completed builds, the cache-hit ratio without engine steps, the steps that miss most.
#include <catch2/catch.hpp>

#include "history/history_query.hpp"
#include "history/history_stats.hpp"
#include "history_fixture.hpp"

namespace {

using dbuild::history::compute_stats;
using dbuild::history::HistoryReader;
using dbuild::history::HistoryStats;
using dbuild::test::BuildSpec;
using dbuild::test::HistoryFixture;

HistoryStats stats_of(const HistoryFixture& fixture, double since = 0) {
  auto reader = HistoryReader::open(fixture.root());
  REQUIRE(reader);
  auto stats = compute_stats(**reader, since);
  INFO(stats.status().to_string());
  REQUIRE(stats);
  return std::move(*stats);
}

}  // namespace

TEST_CASE("history stats counts builds per status, most frequent first", "[history][stats]") {
  HistoryFixture fixture;
  fixture.add_sample_builds();
  const auto stats = stats_of(fixture);
  CHECK(stats.builds == 3);
  CHECK(stats.completed == 2);
  REQUIRE(stats.builds_by_status.size() == 2);
  CHECK(stats.builds_by_status[0] == std::pair<std::string, int>{"completed", 2});
  CHECK(stats.builds_by_status[1] == std::pair<std::string, int>{"failed", 1});
}

TEST_CASE("history stats takes the median and the nearest-rank p95 of completed builds only", "[history][stats]") {
  HistoryFixture fixture;
  const std::int64_t now = dbuild::test::now_ns_for_test();
  // Completed: 1..20 seconds; the failed build's 1000 s must not count.
  for (int i = 1; i <= 20; ++i)
    fixture.add({std::string(24, 'a') + static_cast<char>('a' + i),
                 "completed",
                 now - i * 1000000000LL,
                 static_cast<double>(i),
                 {},
                 ""});
  fixture.add({std::string(25, 'z'), "failed", now, 1000, {}, ""});
  auto stats = stats_of(fixture);
  REQUIRE(stats.median_seconds);
  CHECK(*stats.median_seconds == Approx(10.5));  // the mean of the 10th and 11th
  REQUIRE(stats.p95_seconds);
  CHECK(*stats.p95_seconds == Approx(19));  // ceil(0.95 * 20) = 19th

  fixture.add({std::string(24, 'y') + "y", "completed", now - 100 * 1000000000LL, 21, {}, ""});
  stats = stats_of(fixture);
  CHECK(*stats.median_seconds == Approx(11));  // the 11th of 21
  CHECK(*stats.p95_seconds == Approx(20));     // ceil(0.95 * 21) = 20th
}

TEST_CASE("history stats computes the cache-hit ratio over steps done or cached, without engine steps",
          "[history][stats]") {
  HistoryFixture fixture;
  fixture.add_sample_builds();
  const auto stats = stats_of(fixture);
  CHECK(stats.cached_steps == 4);
  CHECK(stats.computed_steps == 4);  // the failed RUN and the three "[internal]" steps do not count
  REQUIRE(stats.hit_ratio());
  CHECK(*stats.hit_ratio() == Approx(0.5));
}

TEST_CASE("history stats leaves out the engine's steps without a cache key, such as exporting", "[history][stats]") {
  HistoryFixture fixture;
  fixture.add({"eeeeeeeeeeeeeeeeeeeeeeee5",
               "completed",
               dbuild::test::now_ns_for_test(),
               2,
               {{"[1/1] COPY a.txt /a.txt", "cached", 0, ""}, {"exporting to image", "done", 1, ""}},
               ""});
  const auto stats = stats_of(fixture);
  CHECK(stats.cached_steps == 1);
  CHECK(stats.computed_steps == 0);
  CHECK(stats.most_missed.empty());
}

TEST_CASE("history stats lists the steps that miss the cache most, by stage and position", "[history][stats]") {
  HistoryFixture fixture;
  fixture.add_sample_builds();
  const auto stats = stats_of(fixture);
  REQUIRE(stats.most_missed.size() == 3);
  CHECK(stats.most_missed[0].name == "[build 2/3] COPY . /src");
  CHECK(stats.most_missed[0].stage == "build");
  CHECK(stats.most_missed[0].position == 2);
  CHECK(stats.most_missed[0].misses == 2);
  CHECK(stats.most_missed[0].runs == 3);
  CHECK(stats.most_missed[1].name == "[build 1/3] FROM docker.io/library/busybox:latest");
  CHECK(stats.most_missed[1].misses == 1);
  CHECK(stats.most_missed[2].name == "[build 3/3] RUN make");
  CHECK(stats.most_missed[2].runs == 2);
}

TEST_CASE("history stats --since counts only builds started since then", "[history][stats]") {
  HistoryFixture fixture;
  fixture.add_sample_builds();
  const double since = static_cast<double>(dbuild::test::now_ns_for_test()) / 1e9 - 1.5 * 3600;
  const auto stats = stats_of(fixture, since);
  CHECK(stats.builds == 1);
  CHECK(stats.completed == 0);
  CHECK_FALSE(stats.median_seconds);
  CHECK_FALSE(stats.p95_seconds);
  CHECK(stats.cached_steps == 1);
  CHECK(stats.computed_steps == 1);
}

TEST_CASE("history stats of a history without builds is all zero", "[history][stats]") {
  HistoryFixture fixture;
  const auto stats = stats_of(fixture);
  CHECK(stats.builds == 0);
  CHECK(stats.builds_by_status.empty());
  CHECK_FALSE(stats.median_seconds);
  CHECK_FALSE(stats.hit_ratio());
  CHECK(stats.most_missed.empty());
}
