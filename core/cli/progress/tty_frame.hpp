// tty_frame.hpp: the lines of one tty frame, laid out as BuildKit lays them out: " => name" with a
// right-aligned timer, sub-tasks as " => => id", output as " => => # line", all fitted to the
// terminal's width and height.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/progress/terminal.hpp"

namespace dbuild::progress {

enum class RowColor { Plain, Done, Error, Cancelled, Warning, Faint };

/// One step, sub-task or warning row before layout, and the output lines shown under it.
struct JobRow {
  std::string name{};    // "CACHED [2/3] COPY . .", "=> sha256:ab12 layer", "WARN: ..."
  std::string status{};  // "1.05MB / 2.10MB" for sub-tasks; may be empty
  std::int64_t duration_ns = 0;
  RowColor color = RowColor::Plain;
  bool running = false;               // running rows survive when rows must be dropped
  std::vector<std::string> output{};  // sanitised lines, shown under the row
};

/// The frame's lines, without newlines or colour. `rows` limits the lines (header included) to
/// what the terminal can redraw; 0 means no limit, as for the final frame.
struct FrameLine {
  std::string text;
  RowColor color = RowColor::Plain;
};
[[nodiscard]] std::vector<FrameLine> layout_frame(const std::string& header, const std::vector<JobRow>& jobs,
                                                  TerminalSize size);

/// " => name [status]" padded so that the timer ends one column before the edge; "" when the
/// terminal is too narrow to show the row, as BuildKit does.
[[nodiscard]] std::string layout_job(const JobRow& job, int width);

/// The escape sequence that sets `color` ("" for Plain); "\x1b[0m" resets it.
[[nodiscard]] const char* color_code(RowColor color) noexcept;

}  // namespace dbuild::progress
