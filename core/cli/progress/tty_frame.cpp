// tty_frame.cpp: row layout and height fitting for the tty renderer.
#include "cli/progress/tty_frame.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "cli/progress/format.hpp"

namespace dbuild::progress {
namespace {

constexpr std::int64_t kShownAsZeroNs = 50'000'000;  // BuildKit shows timers under 0.05 s as 0.0s
constexpr int kMinNameColumns = 12;                  // narrower than this, a row is left out
constexpr int kOutputIndent = 10;                    // " => => # " plus the column kept free

std::string timer_text(std::int64_t duration_ns) {
  std::string timer = " ";
  append_seconds(timer, duration_ns < kShownAsZeroNs ? 0 : duration_ns);
  timer += 's';
  return timer;
}

struct Line {
  FrameLine line;
  bool running = false;
};

// Drops lines until `budget` are left: output lines first (they are the least important), then
// rows of finished steps from the top, then whatever is at the top.
std::vector<Line> fit_height(std::vector<Line> lines, std::size_t budget) {
  if (lines.size() <= budget) return lines;
  std::erase_if(lines, [](const Line& line) { return line.line.color == RowColor::Faint; });
  if (lines.size() <= budget) return lines;
  std::size_t excess = lines.size() - budget;
  std::vector<Line> kept;
  kept.reserve(budget);
  for (auto& line : lines) {
    if (excess > 0 && !line.running) {
      --excess;
      continue;
    }
    kept.push_back(std::move(line));
  }
  if (kept.size() > budget) kept.erase(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(kept.size() - budget));
  return kept;
}

}  // namespace

std::string layout_job(const JobRow& job, int width) {
  static constexpr std::string_view kPrefix = " => ";
  std::string timer = timer_text(job.duration_ns);
  int timer_columns = static_cast<int>(timer.size());
  int left = width - static_cast<int>(kPrefix.size()) - (timer_columns + 1) - 1;
  int status_columns = static_cast<int>(display_width(job.status));
  bool show_status = false;
  if (!job.status.empty() && left + status_columns > 20) {
    show_status = true;
    left -= status_columns + 1;
  }
  if (left < kMinNameColumns) return {};
  std::string out(kPrefix);
  out += clip_to_width(job.name, static_cast<std::size_t>(left));
  if (show_status) {
    out += ' ';
    out += job.status;
  }
  auto pad_to = static_cast<std::size_t>(width - timer_columns - 2);
  std::size_t used = display_width(out);
  if (used < pad_to) out.append(pad_to - used, ' ');
  out += ' ';
  out += timer;
  return out;
}

std::vector<FrameLine> layout_frame(const std::string& header, const std::vector<JobRow>& jobs, TerminalSize size) {
  int width = size.columns > 0 ? size.columns : 80;
  std::vector<Line> lines;
  for (const auto& job : jobs) {
    std::string row = layout_job(job, width);
    if (row.empty()) continue;
    lines.push_back(Line{FrameLine{std::move(row), job.color}, job.running});
    for (const auto& output : job.output) {
      std::string text = " => => # ";
      text += clip_to_width(output, static_cast<std::size_t>(std::max(width - kOutputIndent, 0)));
      lines.push_back(Line{FrameLine{std::move(text), RowColor::Faint}, job.running});
    }
  }
  if (size.rows > 2) lines = fit_height(std::move(lines), static_cast<std::size_t>(size.rows - 2));
  std::vector<FrameLine> frame;
  frame.reserve(lines.size() + 1);
  frame.push_back(
      FrameLine{std::string(clip_to_width(header, static_cast<std::size_t>(std::max(width - 1, 0)))), RowColor::Plain});
  for (auto& line : lines) frame.push_back(std::move(line.line));
  return frame;
}

const char* color_code(RowColor color) noexcept {
  switch (color) {
    case RowColor::Plain: return "";
    case RowColor::Done: return "\x1b[34m";
    case RowColor::Error: return "\x1b[31m";
    case RowColor::Cancelled: return "\x1b[33m";
    case RowColor::Warning: return "\x1b[33m";
    case RowColor::Faint: return "\x1b[2m";
  }
  return "";
}

}  // namespace dbuild::progress
