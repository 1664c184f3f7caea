// terminal.hpp: what the renderers ask of the stream they print on: the terminal's size, whether
// colours are wanted, and a write that never throws.
#pragma once

#include <optional>
#include <ostream>
#include <string_view>

namespace dbuild::progress {

struct TerminalSize {
  int columns = 80;
  int rows = 0;  // 0: unknown, no limit on the lines drawn
};

/// The size of the terminal on `fd` (TIOCGWINSZ), or nothing when `fd` is not a terminal.
[[nodiscard]] std::optional<TerminalSize> terminal_size(int fd) noexcept;

/// The file descriptor behind std::cout (1), std::cerr or std::clog (2); -1 for other streams.
[[nodiscard]] int stream_fd(const std::ostream& out) noexcept;

/// False when NO_COLOR is set to anything non-empty (https://no-color.org).
[[nodiscard]] bool colors_wanted() noexcept;

/// Writes `text` and flushes. Never throws, even on a stream set to throw (a closed pipe): there
/// is nothing better to do with progress output that cannot be written.
void write_text(std::ostream& out, std::string_view text) noexcept;

}  // namespace dbuild::progress
