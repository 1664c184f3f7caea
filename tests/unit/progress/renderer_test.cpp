// renderer_test.cpp: --progress parsing, the factory's choices, and the quiet renderer.
#include <catch2/catch.hpp>

#include <sstream>

#include "cli/progress/plain_renderer.hpp"
#include "cli/progress/quiet_renderer.hpp"
#include "cli/progress/rawjson_renderer.hpp"
#include "cli/progress/renderer.hpp"
#include "cli/progress/tty_renderer.hpp"
#include "events.hpp"
#include "manual_clock.hpp"

namespace dbuild::progress {
namespace {

using namespace testing;

TEST_CASE("progress modes parse as buildx spells them", "[progress]") {
  CHECK(*parse_mode("auto") == Mode::Auto);
  CHECK(*parse_mode("tty") == Mode::Tty);
  CHECK(*parse_mode("plain") == Mode::Plain);
  CHECK(*parse_mode("rawjson") == Mode::RawJson);
  CHECK(*parse_mode("quiet") == Mode::Quiet);
  for (Mode mode : {Mode::Auto, Mode::Tty, Mode::Plain, Mode::RawJson, Mode::Quiet}) {
    CHECK(*parse_mode(mode_name(mode)) == mode);
  }
}

TEST_CASE("an unknown progress mode is an invalid argument naming the valid ones", "[progress]") {
  auto mode = parse_mode("fancy");
  REQUIRE_FALSE(mode);
  sdk::Status status = mode.status();
  CHECK(status.code() == sdk::Code::InvalidArgument);
  const std::string& message = status.message();
  CHECK(message.find("\"fancy\"") != std::string::npos);
  for (const char* name : {"auto", "tty", "plain", "rawjson", "quiet"}) CHECK(message.find(name) != std::string::npos);
  CHECK_FALSE(parse_mode("Plain"));
  CHECK_FALSE(parse_mode(""));
}

TEST_CASE("auto picks tty on a terminal and plain elsewhere", "[progress]") {
  ManualClock clock;
  std::ostringstream out;
  auto on_terminal = make_renderer(Mode::Auto, out, true, clock);
  CHECK(dynamic_cast<TtyRenderer*>(on_terminal.get()) != nullptr);
  on_terminal->finish();
  auto on_pipe = make_renderer(Mode::Auto, out, false, clock);
  CHECK(dynamic_cast<PlainRenderer*>(on_pipe.get()) != nullptr);
  CHECK(dynamic_cast<RawJsonRenderer*>(make_renderer(Mode::RawJson, out, false, clock).get()) != nullptr);
  CHECK(dynamic_cast<QuietRenderer*>(make_renderer(Mode::Quiet, out, true, clock).get()) != nullptr);
}

TEST_CASE("quiet prints nothing but keeps a failed step's last lines", "[progress][quiet]") {
  ManualClock clock;
  std::ostringstream out;
  auto renderer = make_renderer(Mode::Quiet, out, false, clock);
  renderer->emit(started("v", "[2/2] RUN make", 0));
  renderer->emit(output("v", "compiling\nerror: boom\n", 100));
  renderer->emit(failed("v", "exit code: 2", 200));
  renderer->emit(warning("", "a warning", 0, 300));
  renderer->finish();
  CHECK(out.str().empty());
  auto lines = renderer->last_lines("v", 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text == "error: boom");
  CHECK(lines[0].offset_ns == 100 * kMs);
  REQUIRE(renderer->failures().size() == 1);
  CHECK(renderer->failures()[0].message == "exit code: 2");
  CHECK(renderer->failures()[0].lines.size() == 2);
}

}  // namespace
}  // namespace dbuild::progress
