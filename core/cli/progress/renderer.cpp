// renderer.cpp: --progress parsing, the log-tail accessors every renderer shares, and the factory
// that picks a renderer and wires it to the terminal.
#include "cli/progress/renderer.hpp"

#include <string>

#include "cli/progress/plain_renderer.hpp"
#include "cli/progress/quiet_renderer.hpp"
#include "cli/progress/rawjson_renderer.hpp"
#include "cli/progress/terminal.hpp"
#include "cli/progress/tty_renderer.hpp"

namespace dbuild::progress {

sdk::Result<Mode> parse_mode(std::string_view text) {
  for (Mode mode : {Mode::Auto, Mode::Tty, Mode::Plain, Mode::RawJson, Mode::Quiet}) {
    if (text == mode_name(mode)) return mode;
  }
  return sdk::Status::invalid_argument("invalid progress mode \"" + std::string(text) +
                                       "\": valid modes are auto, tty, plain, rawjson and quiet")
      .with_hint("use --progress=plain for logs and CI, --progress=tty for a terminal");
}

std::string_view mode_name(Mode mode) noexcept {
  switch (mode) {
    case Mode::Auto: return "auto";
    case Mode::Tty: return "tty";
    case Mode::Plain: return "plain";
    case Mode::RawJson: return "rawjson";
    case Mode::Quiet: return "quiet";
  }
  return "auto";
}

std::vector<TailLine> Renderer::last_lines(std::string_view vertex, std::size_t n) const {
  std::lock_guard lock(mutex_);
  return tail_.last_lines(vertex, n);
}

std::vector<StepFailure> Renderer::failures() const {
  std::lock_guard lock(mutex_);
  return tail_.failures();
}

std::unique_ptr<Renderer> make_renderer(Mode mode, std::ostream& out, bool out_is_terminal, Clock& clock) {
  switch (mode) {
    case Mode::Auto: return make_renderer(out_is_terminal ? Mode::Tty : Mode::Plain, out, out_is_terminal, clock);
    case Mode::Tty: {
      TtyOptions options;
      int fd = stream_fd(out);
      options.terminal_size = [fd] { return terminal_size(fd).value_or(TerminalSize{}); };
      options.colors = out_is_terminal && colors_wanted();
      return std::make_unique<TtyRenderer>(out, clock, std::move(options));
    }
    case Mode::Plain: return std::make_unique<PlainRenderer>(out, clock);
    case Mode::RawJson: return std::make_unique<RawJsonRenderer>(out, clock);
    case Mode::Quiet: return std::make_unique<QuietRenderer>(clock);
  }
  return std::make_unique<QuietRenderer>(clock);
}

}  // namespace dbuild::progress
