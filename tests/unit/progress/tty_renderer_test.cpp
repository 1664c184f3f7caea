// tty_renderer_test.cpp: tty frames on a string stream with a fake terminal size: rows, cursor
// movement between frames, clipping, the final frame, and the redraw thread.
#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/progress/format.hpp"
#include "cli/progress/terminal.hpp"
#include "cli/progress/tty_renderer.hpp"
#include "events.hpp"
#include "manual_clock.hpp"

namespace dbuild::progress {
namespace {

using namespace testing;
using namespace std::chrono_literals;

struct Tty {
  explicit Tty(TerminalSize size = {60, 0}, bool colors = false)
      : renderer(out, clock,
                 TtyOptions{.terminal_size = [size] { return size; }, .colors = colors, .redraw_interval = 0ms}) {}

  // What the last frame drew, one entry per line, without escape sequences.
  std::vector<std::string> last_frame() const {
    std::string text = out.str();
    auto begin = text.rfind("\x1b[?25l");
    std::vector<std::string> lines;
    std::istringstream frame(text.substr(begin == std::string::npos ? 0 : begin));
    for (std::string line; std::getline(frame, line);) lines.push_back(sanitize_for_terminal(line));
    if (!lines.empty() && lines.back().empty()) lines.pop_back();  // what follows the last newline
    return lines;
  }

  ManualClock clock{kEpoch};
  std::ostringstream out;
  TtyRenderer renderer;
};

// A row as BuildKit aligns it: the timer (" 1.4s") ends one column before the terminal's edge.
std::string row(const std::string& left, const std::string& seconds, std::size_t width = 60) {
  std::string timer = " " + seconds + "s";
  return left + std::string(width - timer.size() - 2 - left.size(), ' ') + " " + timer;
}

bool contains(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& line : lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("tty draws a header and a row per step with the output of running steps", "[progress][tty]") {
  Tty tty;
  tty.renderer.emit(started("a", "[1/2] FROM docker.io/library/alpine:3.20", 0));
  tty.renderer.emit(cached("a", "", 10));
  tty.renderer.emit(started("b", "[2/2] RUN make", 100));
  tty.renderer.emit(output("b", "compiling\nlinking\n", 200));
  tty.clock.set_ms(1500);
  tty.renderer.redraw();
  auto frame = tty.last_frame();
  REQUIRE(frame.size() == 5);
  CHECK(frame[0] == "[+] Building 1.5s (1/2)");
  CHECK(frame[1] == row(" => CACHED [1/2] FROM docker.io/library/alpine:3.20", "0.0"));
  CHECK(frame[2] == row(" => [2/2] RUN make", "1.4"));
  CHECK(frame[2].size() == 59);
  CHECK(frame[3] == " => => # compiling");
  CHECK(frame[4] == " => => # linking");
  CHECK(tty.out.str().find("\x1b[K\n") != std::string::npos);
}

TEST_CASE("tty moves the cursor up over the previous frame to redraw it", "[progress][tty]") {
  Tty tty;
  tty.renderer.emit(started("b", "[1/1] RUN make", 0));
  tty.renderer.emit(output("b", "one\ntwo\nthree\n", 100));
  tty.renderer.redraw();
  CHECK(tty.out.str().find("\x1b[5A") == std::string::npos);
  tty.renderer.redraw();
  CHECK(tty.out.str().find("\x1b[5A\r") != std::string::npos);  // header, row, three output lines
}

TEST_CASE("tty blanks what is left of a taller previous frame", "[progress][tty]") {
  Tty tty;
  tty.renderer.emit(started("b", "[1/1] RUN make", 0));
  tty.renderer.emit(output("b", "one\ntwo\nthree\n", 100));
  tty.renderer.redraw();
  tty.renderer.emit(completed("b", 200));
  tty.out.str("");
  tty.renderer.redraw();
  CHECK(tty.out.str() ==
        "\x1b[?25l\x1b[5A\r"
        "[+] Building 0.0s (1/1)\x1b[K\n" +
            row(" => [1/1] RUN make", "0.2") +
            "\x1b[K\n"
            "\x1b[K\n\x1b[K\n\x1b[K\n\x1b[3A"
            "\x1b[?25h");
}

TEST_CASE("tty shows at most six output lines per running step", "[progress][tty]") {
  Tty tty;
  tty.renderer.emit(started("b", "[1/1] RUN seq 10", 0));
  tty.renderer.emit(output("b", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10", 100));
  tty.renderer.redraw();
  auto frame = tty.last_frame();
  REQUIRE(frame.size() == 8);
  CHECK(frame[2] == " => => # 5");
  CHECK(frame[7] == " => => # 10");  // the line being printed counts too
}

TEST_CASE("tty clips every line to the terminal width", "[progress][tty]") {
  Tty tty({40, 0});
  tty.renderer.emit(started("b", "[1/1] RUN " + std::string(100, 'n'), 0));
  tty.renderer.emit(output("b", std::string(100, 'o') + "\n", 10));
  tty.renderer.emit(status("b", "sha256:" + std::string(64, 'f'), 1'048'576, 3'623'807, 20));
  tty.renderer.redraw();
  auto frame = tty.last_frame();
  REQUIRE(frame.size() == 4);
  for (const auto& line : frame) CHECK(display_width(line) <= 39);
  CHECK(frame[1].size() == 39);
  CHECK(frame[2].find("1.05MB / 3.62MB") != std::string::npos);
}

TEST_CASE("a running transfer shows its rate, a finished one its time", "[progress][tty]") {
  Tty tty({100, 0});
  tty.renderer.emit(started("p", "[internal] load metadata", 0));
  tty.renderer.emit(status("p", "sha256:aaaa", 0, 8'000'000, 0));
  tty.renderer.emit(status("p", "sha256:aaaa", 4'000'000, 8'000'000, 2000));
  tty.clock.set_ms(2000);
  tty.renderer.redraw();
  auto frame = tty.last_frame();
  REQUIRE(frame.size() >= 3);
  CHECK(frame[2].find("4.00MB / 8.00MB 2.00MB/s") != std::string::npos);
  tty.renderer.emit(status("p", "sha256:aaaa", 8'000'000, 8'000'000, 3000));
  tty.clock.set_ms(3000);
  tty.renderer.redraw();
  frame = tty.last_frame();
  REQUIRE(frame.size() >= 3);
  CHECK(frame[2].find("8.00MB / 8.00MB") != std::string::npos);
  CHECK(frame[2].find("/s") == std::string::npos);
}

TEST_CASE("tty leaves rows out on a terminal too narrow for them", "[progress][tty]") {
  Tty tty({20, 0});
  tty.renderer.emit(started("b", "[1/1] RUN make", 0));
  tty.renderer.redraw();
  auto frame = tty.last_frame();
  REQUIRE(frame.size() == 1);
  CHECK(frame[0] == "[+] Building 0.0s (");
}

TEST_CASE("tty fits the frame to the terminal's height, keeping running steps", "[progress][tty]") {
  Tty tty({60, 6});
  for (int i = 0; i < 6; ++i) {
    std::string vertex = "v" + std::to_string(i);
    tty.renderer.emit(started(vertex, "[" + std::to_string(i) + "/7] RUN step", i));
    tty.renderer.emit(completed(vertex, 10 + i));
  }
  tty.renderer.emit(started("r", "[7/7] RUN still running", 100));
  tty.renderer.emit(output("r", "output\n", 110));
  tty.renderer.redraw();
  auto frame = tty.last_frame();
  REQUIRE(frame.size() == 5);
  CHECK(frame[0].find("(6/7)") != std::string::npos);
  CHECK(frame[4].find("[7/7] RUN still running") != std::string::npos);
  CHECK(frame[1].find("[3/7]") != std::string::npos);
}

TEST_CASE("tty shows sub-tasks and warnings under their step", "[progress][tty]") {
  Tty tty({100, 0});
  tty.renderer.emit(started("a", "[internal] load build context", 0));
  tty.renderer.emit(status("a", "transferring context:", 2, 0, 10));
  tty.renderer.emit(warning("a", "UndefinedVar: Usage of undefined variable '$X'", 28, 20));
  tty.renderer.emit(completed("a", 100));
  tty.renderer.finish();
  auto frame = tty.last_frame();
  CHECK(contains(frame, " => => transferring context: 2B "));
  CHECK(contains(frame, " => WARN: UndefinedVar: Usage of undefined variable '$X' (line 28)"));
  CHECK(tty.out.str().find(" 1 warning found (use dbuild --debug to expand):\n - UndefinedVar") != std::string::npos);
}

TEST_CASE("tty's final frame lists every step without output, then a failed step's last lines", "[progress][tty]") {
  Tty tty;
  tty.renderer.emit(started("a", "[1/2] FROM docker.io/library/alpine:3.20", 0));
  tty.renderer.emit(completed("a", 300));
  tty.renderer.emit(started("b", "[2/2] RUN make", 300));
  tty.renderer.emit(output("b", "cc main.c\nmain.c: error\n", 400));
  tty.clock.set_ms(500);
  tty.renderer.redraw();
  tty.renderer.emit(failed("b", "exit code: 2", 900));
  tty.clock.set_ms(1000);
  tty.renderer.finish();
  std::string text = tty.out.str();
  std::string final_frame = text.substr(text.rfind("\x1b[?25l"));
  CHECK(final_frame.find("[+] Building 1.0s (2/2) FINISHED") != std::string::npos);
  CHECK(final_frame.find(" => ERROR [2/2] RUN make") != std::string::npos);
  CHECK(final_frame.find("=> => #") == std::string::npos);
  CHECK(text.find("------\n > [2/2] RUN make:\n0.100 cc main.c\n0.100 main.c: error\n------\n") != std::string::npos);
  tty.renderer.redraw();  // after finish: nothing more is drawn
  CHECK(tty.out.str() == text);
}

TEST_CASE("tty colours finished rows when asked to", "[progress][tty]") {
  Tty tty({60, 0}, true);
  tty.renderer.emit(started("a", "[1/2] RUN true", 0));
  tty.renderer.emit(completed("a", 10));
  tty.renderer.emit(started("b", "[2/2] RUN false", 20));
  tty.renderer.emit(failed("b", "exit code: 1", 30));
  tty.renderer.finish();
  CHECK(tty.out.str().find("\x1b[34m => [1/2] RUN true") != std::string::npos);
  CHECK(tty.out.str().find("\x1b[31m => ERROR [2/2] RUN false") != std::string::npos);
}

TEST_CASE("tty redraws from its own thread until finish stops it", "[progress][tty]") {
  ManualClock clock;
  std::ostringstream out;
  TtyRenderer renderer(out, clock, TtyOptions{.redraw_interval = 5ms});
  CHECK(renderer.redrawing_in_background());
  renderer.emit(started("a", "[1/1] RUN make", 0));
  renderer.emit(output("a", "working\n", 10));
  std::this_thread::sleep_for(60ms);
  renderer.emit(completed("a", 100));
  renderer.finish();
  CHECK_FALSE(renderer.redrawing_in_background());
  std::string text = out.str();
  CHECK(text.find(" => => # working") != std::string::npos);  // drawn by the thread
  CHECK(text.find("A\r") != std::string::npos);
  CHECK(text.find("FINISHED") != std::string::npos);
}

TEST_CASE("NO_COLOR turns colours off", "[progress][tty]") {
  ::setenv("NO_COLOR", "1", 1);
  CHECK_FALSE(colors_wanted());
  ::setenv("NO_COLOR", "", 1);
  CHECK(colors_wanted());
  ::unsetenv("NO_COLOR");
  CHECK(colors_wanted());
}

}  // namespace
}  // namespace dbuild::progress
