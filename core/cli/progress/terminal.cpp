// terminal.cpp: terminal size through ioctl, and the NO_COLOR convention.
#include "cli/progress/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace dbuild::progress {

std::optional<TerminalSize> terminal_size(int fd) noexcept {
  if (fd < 0) return std::nullopt;
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return std::nullopt;
  return TerminalSize{size.ws_col, size.ws_row};
}

int stream_fd(const std::ostream& out) noexcept {
  if (&out == &std::cout) return STDOUT_FILENO;
  if (&out == &std::cerr || &out == &std::clog) return STDERR_FILENO;
  return -1;
}

bool colors_wanted() noexcept {
  const char* no_color = std::getenv("NO_COLOR");
  return no_color == nullptr || *no_color == '\0';
}

void write_text(std::ostream& out, std::string_view text) noexcept {
  if (text.empty()) return;
  try {
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
  } catch (...) {
    // See the header: dropped on purpose.
  }
}

}  // namespace dbuild::progress
