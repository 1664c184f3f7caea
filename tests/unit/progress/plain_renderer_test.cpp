// plain_renderer_test.cpp: golden output of --progress=plain against BuildKit's format, with a
// manual clock and no writer thread so that every byte is determined by the events.
#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/progress/plain_renderer.hpp"
#include "events.hpp"
#include "manual_clock.hpp"

namespace dbuild::progress {
namespace {

using namespace testing;
using namespace std::chrono_literals;

struct Plain {
  ManualClock clock;
  std::ostringstream out;
  PlainRenderer renderer{out, clock, PlainOptions{.write_interval = 0ms}};

  std::string finish() {
    renderer.finish();
    return out.str();
  }
};

TEST_CASE("plain prints a sequential build as numbered blocks", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("v1", "[internal] load build definition from Dockerfile", 0));
  plain.renderer.emit(status("v1", "transferring dockerfile:", 435, 0, 10));
  plain.renderer.emit(completed("v1", 20));
  plain.renderer.emit(started("v2", "[1/3] FROM docker.io/library/alpine:3.20", 30));
  plain.renderer.emit(cached("v2", "", 40));
  plain.renderer.emit(started("v3", "[2/3] RUN make", 50));
  plain.renderer.emit(output("v3", "cc -o app main.c\n", 150));
  plain.renderer.emit(output("v3", "done\n", 1350, 2));
  plain.renderer.emit(completed("v3", 1450));
  CHECK(plain.finish() ==
        "#1 [internal] load build definition from Dockerfile\n"
        "#1 transferring dockerfile: 435B done\n"
        "#1 DONE 0.0s\n"
        "\n"
        "#2 [1/3] FROM docker.io/library/alpine:3.20\n"
        "#2 CACHED\n"
        "\n"
        "#3 [2/3] RUN make\n"
        "#3 0.100 cc -o app main.c\n"
        "#3 1.300 done\n"
        "#3 DONE 1.4s\n");
}

TEST_CASE("plain heads a cached step that never started", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(cached("v1", "[2/3] COPY . .", 0));
  CHECK(plain.finish() == "#1 [2/3] COPY . .\n#1 CACHED\n");
}

TEST_CASE("plain log offsets lose decimals as they grow, as BuildKit's do", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("v1", "[1/1] RUN ./slow", 0));
  plain.renderer.emit(output("v1", "a\n", 9'960));
  plain.renderer.emit(output("v1", "b\n", 10'230));
  plain.renderer.emit(output("v1", "c\n", 120'200));
  plain.renderer.emit(completed("v1", 120'400));
  CHECK(plain.finish() ==
        "#1 [1/1] RUN ./slow\n"
        "#1 9.960 a\n"
        "#1 10.23 b\n"
        "#1 120.2 c\n"
        "#1 DONE 120.4s\n");
}

TEST_CASE("plain interleaves parallel steps in turns, re-heading each block", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("a", "[a 1/2] RUN ./a.sh", 0));
  plain.renderer.emit(started("b", "[b 1/2] RUN ./b.sh", 100));
  plain.renderer.emit(output("a", "a1\n", 200));
  plain.renderer.emit(output("b", "b1\n", 300));  // waits: a has the output
  plain.renderer.emit(output("b", "b2\n", 400));
  plain.renderer.emit(output("a", "a2\n", 6000));  // a has held the output 6 s: b's turn
  plain.renderer.emit(output("a", "a3\n", 6500));  // waits now
  plain.renderer.emit(completed("b", 7000));       // ends print at once, then a takes over
  plain.renderer.emit(completed("a", 8000));
  CHECK(plain.finish() ==
        "#1 [a 1/2] RUN ./a.sh\n"
        "#1 0.200 a1\n"
        "#1 6.000 a2\n"
        "#1 ...\n"
        "\n"
        "#2 [b 1/2] RUN ./b.sh\n"
        "#2 0.200 b1\n"
        "#2 0.300 b2\n"
        "#2 DONE 6.9s\n"
        "\n"
        "#1 [a 1/2] RUN ./a.sh\n"
        "#1 6.500 a3\n"
        "#1 DONE 8.0s\n");
}

TEST_CASE("plain prints a step that ends while another has the output at once", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("a", "[internal] load metadata for docker.io/library/python:3.11-slim", 0));
  plain.renderer.emit(started("b", "[internal] load metadata for docker.io/library/debian:stable-slim", 10));
  plain.renderer.emit(completed("b", 400));
  plain.renderer.emit(completed("a", 500));
  CHECK(plain.finish() ==
        "#1 [internal] load metadata for docker.io/library/python:3.11-slim\n"
        "#1 ...\n"
        "\n"
        "#2 [internal] load metadata for docker.io/library/debian:stable-slim\n"
        "#2 DONE 0.4s\n"
        "\n"
        "#1 [internal] load metadata for docker.io/library/python:3.11-slim\n"
        "#1 DONE 0.5s\n");
}

TEST_CASE("plain passes the output back and forth between long parallel steps", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("a", "[a] RUN ./a.sh", 0));
  plain.renderer.emit(started("b", "[b] RUN ./b.sh", 0));
  plain.renderer.emit(output("b", "b1\n", 100));
  plain.renderer.emit(completed("a", 200));  // b takes over with its waiting line
  plain.renderer.emit(started("c", "[c] RUN ./c.sh", 300));
  plain.renderer.emit(output("c", "c1\n", 400));  // waits: b has had the output for 0.1 s
  plain.renderer.emit(output("b", "b2\n", 10'500));
  plain.renderer.emit(completed("b", 11'000));
  plain.renderer.emit(completed("c", 11'100));
  CHECK(plain.finish() ==
        "#1 [a] RUN ./a.sh\n"
        "#1 DONE 0.2s\n"
        "\n"
        "#2 [b] RUN ./b.sh\n"
        "#2 0.100 b1\n"
        "#2 10.50 b2\n"
        "#2 ...\n"
        "\n"
        "#3 [c] RUN ./c.sh\n"
        "#3 0.100 c1\n"
        "#3 ...\n"
        "\n"
        "#2 [b] RUN ./b.sh\n"
        "#2 DONE 11.0s\n"
        "\n"
        "#3 [c] RUN ./c.sh\n"
        "#3 DONE 10.8s\n");
}

TEST_CASE("plain prints a failed step's error and then its last lines", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("v1", "[2/2] RUN make", 0));
  plain.renderer.emit(output("v1", "gcc main.c\nmain.c:1: err", 50));
  plain.renderer.emit(output("v1", "or: boom\n", 60));
  plain.renderer.emit(output("v1", "make: *** [all] Error 1", 70, 2));  // no final newline
  plain.renderer.emit(failed("v1", "process \"/bin/sh -c make\" did not complete successfully: exit code: 2", 500));
  CHECK(plain.finish() ==
        "#1 [2/2] RUN make\n"
        "#1 0.050 gcc main.c\n"
        "#1 0.050 main.c:1: error: boom\n"
        "#1 0.070 make: *** [all] Error 1\n"
        "#1 ERROR: process \"/bin/sh -c make\" did not complete successfully: exit code: 2\n"
        "------\n"
        " > [2/2] RUN make:\n"
        "0.050 gcc main.c\n"
        "0.050 main.c:1: error: boom\n"
        "0.070 make: *** [all] Error 1\n"
        "------\n");
  auto failures = plain.renderer.failures();
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].name == "[2/2] RUN make");
  CHECK(failures[0].lines.size() == 3);
  auto last = plain.renderer.last_lines("v1", 1);
  REQUIRE(last.size() == 1);
  CHECK(last[0].text == "make: *** [all] Error 1");
}

TEST_CASE("plain marks a step stopped after a sibling failed as canceled", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("a", "[a 1/1] RUN false", 0));
  plain.renderer.emit(started("b", "[b 1/1] RUN sleep 10", 10));
  plain.renderer.emit(failed("a", "exit code: 1", 1000));
  plain.renderer.emit(cancelled("b", 1010));
  CHECK(plain.finish() ==
        "#1 [a 1/1] RUN false\n"
        "#1 ERROR: exit code: 1\n"
        "\n"
        "#2 [b 1/1] RUN sleep 10\n"
        "#2 CANCELED\n"
        "------\n"
        " > [a 1/1] RUN false:\n"
        "------\n");
  CHECK(plain.renderer.failures().size() == 1);
}

TEST_CASE("plain prints warnings in their step and sums them up at the end", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("v1", "[internal] load build definition from Dockerfile", 0));
  plain.renderer.emit(warning("v1", "FromAsCasing: 'as' and 'FROM' keywords' casing do not match", 1, 10));
  plain.renderer.emit(completed("v1", 20));
  plain.renderer.emit(warning("", "JSONArgsRecommended: JSON arguments recommended for CMD", 10, 30));
  CHECK(plain.finish() ==
        "#1 [internal] load build definition from Dockerfile\n"
        "#1 WARN: FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n"
        "#1 DONE 0.0s\n"
        "\n"
        " 2 warnings found (use dbuild --debug to expand):\n"
        " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n"
        " - JSONArgsRecommended: JSON arguments recommended for CMD (line 10)\n");
}

TEST_CASE("plain says 1 warning in the singular", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(warning("", "a build-level warning", 0, 0));
  CHECK(plain.finish() == "\n 1 warning found (use dbuild --debug to expand):\n - a build-level warning\n");
}

TEST_CASE("plain thins out sub-task progress and marks it done", "[progress][plain]") {
  const std::string layer = "sha256:4abcf20661432fb2d719aaf90656f55c287f8ca915dc1c92ec14ff61e67fbaf8";
  Plain plain;
  plain.renderer.emit(started("v1", "[1/2] FROM docker.io/library/alpine:3.20", 0));
  plain.renderer.emit(status("v1", layer, 0, 3'623'807, 100));          // too new to print
  plain.renderer.emit(status("v1", layer, 1'048'576, 3'623'807, 300));  // printed
  plain.renderer.emit(status("v1", layer, 1'200'000, 3'623'807, 350));  // under 5%: skipped
  plain.renderer.emit(status("v1", layer, 2'097'152, 3'623'807, 500));
  plain.renderer.emit(status("v1", layer, 3'623'807, 3'623'807, 700));  // done
  plain.renderer.emit(status("v1", layer, 3'623'807, 3'623'807, 750));  // already done
  plain.renderer.emit(status("v1", "extracting " + layer, 0, 0, 800));
  plain.renderer.emit(completed("v1", 1100));
  CHECK(plain.finish() ==
        "#1 [1/2] FROM docker.io/library/alpine:3.20\n"
        "#1 " +
            layer +
            " 1.05MB / 3.62MB 0.2s\n"
            "#1 " +
            layer +
            " 2.10MB / 3.62MB 0.4s\n"
            "#1 " +
            layer +
            " 3.62MB / 3.62MB 0.6s done\n"
            "#1 extracting " +
            layer +
            " 0.3s done\n"
            "#1 DONE 1.1s\n");
}

TEST_CASE("plain reprints slow sub-task progress every five seconds", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("v1", "[internal] load build context", 0));
  plain.renderer.emit(status("v1", "transferring context:", 1000, 0, 0));
  plain.renderer.emit(status("v1", "transferring context:", 2000, 0, 200));
  plain.renderer.emit(status("v1", "transferring context:", 3000, 0, 1000));
  plain.renderer.emit(status("v1", "transferring context:", 52'330'000, 0, 5300));
  plain.renderer.emit(completed("v1", 5500));
  CHECK(plain.finish() ==
        "#1 [internal] load build context\n"
        "#1 transferring context: 2.00kB 0.2s\n"
        "#1 transferring context: 52.33MB 5.3s\n"
        "#1 transferring context: 52.33MB 5.5s done\n"
        "#1 DONE 5.5s\n");
}

TEST_CASE("plain joins lines split at any byte", "[progress][plain]") {
  const std::string text = "first line\nsecond line\nthird";
  Plain plain;
  plain.renderer.emit(started("v1", "[1/1] RUN ./print", 0));
  for (std::size_t i = 0; i < text.size(); ++i) {
    plain.renderer.emit(output("v1", text.substr(i, 1), 100 + static_cast<std::int64_t>(i)));
  }
  plain.renderer.emit(completed("v1", 1000));
  CHECK(plain.finish() ==
        "#1 [1/1] RUN ./print\n"
        "#1 0.100 first line\n"
        "#1 0.111 second line\n"
        "#1 0.123 third\n"
        "#1 DONE 1.0s\n");
}

TEST_CASE("plain keeps stdout and stderr lines apart when both are unfinished", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("v1", "[1/1] RUN ./both", 0));
  plain.renderer.emit(output("v1", "out ", 100, 1));
  plain.renderer.emit(output("v1", "err ", 200, 2));
  plain.renderer.emit(output("v1", "one\n", 300, 1));
  plain.renderer.emit(output("v1", "two\n", 400, 2));
  plain.renderer.emit(completed("v1", 500));
  CHECK(plain.finish() ==
        "#1 [1/1] RUN ./both\n"
        "#1 0.100 out one\n"
        "#1 0.200 err two\n"
        "#1 DONE 0.5s\n");
}

TEST_CASE("plain prints what a stopped build left unfinished at finish", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("a", "[a] RUN ./a.sh", 0));
  plain.renderer.emit(started("b", "[b] RUN ./b.sh", 0));
  plain.renderer.emit(output("b", "b1\nb2 unfinished", 100));
  CHECK(plain.finish() ==
        "#1 [a] RUN ./a.sh\n"
        "#1 ...\n"
        "\n"
        "#2 [b] RUN ./b.sh\n"
        "#2 0.100 b1\n"
        "#2 0.100 b2 unfinished\n");
}

TEST_CASE("plain ignores a second end of the same step", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("v1", "[1/1] RUN true", 0));
  plain.renderer.emit(completed("v1", 100));
  plain.renderer.emit(completed("v1", 200));
  CHECK(plain.finish() == "#1 [1/1] RUN true\n#1 DONE 0.1s\n");
}

TEST_CASE("plain falls back to the clock for events without a timestamp", "[progress][plain]") {
  Plain plain;
  plain.clock.set_ms(0);
  auto start = started("v1", "[1/1] RUN true", 0);
  start.timestamp_ns = 0;
  plain.renderer.emit(start);
  plain.clock.set_ms(2500);
  auto end = completed("v1", 0);
  end.timestamp_ns = 0;
  plain.renderer.emit(end);
  CHECK(plain.finish() == "#1 [1/1] RUN true\n#1 DONE 2.5s\n");
}

TEST_CASE("plain shows nothing emitted after finish but still keeps its lines", "[progress][plain]") {
  Plain plain;
  plain.renderer.emit(started("v1", "[1/1] RUN true", 0));
  std::string before = plain.finish();
  plain.renderer.emit(output("v1", "late\n", 10));
  plain.renderer.finish();
  CHECK(plain.out.str() == before);
  CHECK(plain.renderer.last_lines("v1").size() == 1);
}

TEST_CASE("plain writes the same text from its writer thread", "[progress][plain]") {
  ManualClock clock;
  std::ostringstream out;
  {
    PlainRenderer renderer(out, clock, PlainOptions{.write_interval = 5ms});
    renderer.emit(started("v1", "[1/1] RUN make", 0));
    renderer.emit(output("v1", "hello\n", 100));
    std::this_thread::sleep_for(20ms);
    renderer.emit(completed("v1", 200));
    renderer.finish();
  }
  CHECK(out.str() == "#1 [1/1] RUN make\n#1 0.100 hello\n#1 DONE 0.2s\n");
}

TEST_CASE("plain keeps every line when steps print from several threads", "[progress][plain]") {
  constexpr int kSteps = 4;
  constexpr int kLines = 2000;
  ManualClock clock;
  std::ostringstream out;
  PlainRenderer renderer(out, clock, PlainOptions{.write_interval = 1ms});
  std::vector<std::thread> threads;
  for (int s = 0; s < kSteps; ++s) {
    threads.emplace_back([&renderer, s] {
      std::string vertex = "v" + std::to_string(s);
      renderer.emit(started(vertex, "[" + vertex + "] RUN loop", 0));
      for (int i = 0; i < kLines; ++i) renderer.emit(output(vertex, vertex + " line " + std::to_string(i) + "\n", i));
      renderer.emit(completed(vertex, kLines));
    });
  }
  for (auto& thread : threads) thread.join();
  renderer.finish();
  std::string text = out.str();
  for (int s = 0; s < kSteps; ++s) {
    std::string vertex = "v" + std::to_string(s);
    for (int i = 0; i < kLines; i += 97)
      CHECK(text.find(" " + vertex + " line " + std::to_string(i) + "\n") != std::string::npos);
  }
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  CHECK(lines >= static_cast<std::size_t>(kSteps * (kLines + 2)));
}

TEST_CASE("plain formats a hundred thousand lines quickly", "[progress][plain]") {
  ManualClock clock;
  std::ostringstream out;
  PlainRenderer renderer(out, clock);
  renderer.emit(started("v1", "[1/1] RUN yes", 0));
  auto begin = std::chrono::steady_clock::now();
  auto line = output("v1", "y\n", 0);
  for (int i = 0; i < 100'000; ++i) {
    line.timestamp_ns = kEpoch + i * 1000;
    renderer.emit(line);
  }
  renderer.emit(completed("v1", 1000));
  renderer.finish();
  auto elapsed = std::chrono::steady_clock::now() - begin;
  CHECK(out.str().size() > 100'000 * 10);
  // Generous for a debug build on a shared machine; a regression to per-line I/O or allocation
  // storms shows as seconds.
  CHECK(elapsed < 2s);
}

}  // namespace
}  // namespace dbuild::progress
