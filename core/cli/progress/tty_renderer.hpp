// tty_renderer.hpp: `--progress=tty`, BuildKit's terminal display: a "[+] Building 12.3s (4/7)"
// header and a row per step, redrawn in place with cursor movement, with the last lines of
// running steps' output under them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cli/progress/clock.hpp"
#include "cli/progress/renderer.hpp"
#include "cli/progress/terminal.hpp"
#include "cli/progress/ticker.hpp"
#include "cli/progress/tty_frame.hpp"

namespace dbuild::progress {

struct TtyOptions {
  /// Asked at each redraw, so that a resized terminal is followed. Empty: 80 columns, no row limit.
  std::function<TerminalSize()> terminal_size{};
  /// ANSI colours (blue done, red failed, yellow cancelled and warnings, faint output).
  bool colors = false;
  /// How often the background thread redraws. Zero: no thread; call redraw() (tests).
  std::chrono::milliseconds redraw_interval{100};
  /// Output lines shown under a running step (BuildKit's default).
  std::size_t output_lines = 6;
};

/// Draws frames over each other: each frame moves the cursor up over the previous one
/// ("\x1b[<n>A"), rewrites each line and clears what is left of it ("\x1b[K"). emit() only updates
/// the state; frames are drawn by a background thread about ten times a second. finish() draws
/// the final frame (every step, no output), then the failed steps' last lines and the warnings.
class TtyRenderer final : public Renderer {
 public:
  TtyRenderer(std::ostream& out, Clock& clock, TtyOptions options = {});
  ~TtyRenderer() override;

  void emit(const sdk::ProgressEvent& event) noexcept override;
  void finish() noexcept override;

  /// Draws the current state over the previous frame. Safe from any thread; does nothing after
  /// finish().
  void redraw() noexcept;
  /// Whether the background thread is running (it stops in finish()).
  [[nodiscard]] bool redrawing_in_background() const noexcept;

 private:
  enum class State { Running, Cached, Done, Failed, Cancelled };
  struct SubTask;
  struct Step;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };

  void handle(const sdk::ProgressEvent& event, std::int64_t at);
  Step& step_for(const sdk::ProgressEvent& event, std::int64_t at);
  void on_status(Step& step, const sdk::ProgressEvent& event, std::int64_t at);
  void on_end(Step& step, sdk::ProgressType type, std::int64_t at);
  std::vector<JobRow> job_rows(std::int64_t now, bool final) const;
  void add_step_rows(std::vector<JobRow>& rows, const Step& step, std::int64_t now, bool final) const;
  std::vector<std::string> recent_output(const Step& step) const;
  std::string header(std::int64_t now, bool final) const;
  std::string frame(bool final);

  std::ostream& out_;
  Clock& clock_;
  TtyOptions options_;
  std::int64_t start_ns_;

  // Guarded by mutex_:
  std::unordered_map<std::string, std::unique_ptr<Step>, Hash, std::equal_to<>> steps_;
  std::vector<Step*> order_;  // rows are drawn in the order steps first appeared
  std::vector<std::string> warnings_;
  bool finished_ = false;

  std::mutex draw_mutex_;  // serialises frames; taken before mutex_, never after
  int frame_lines_ = 0;    // guarded by draw_mutex_: lines of the frame on screen
  Ticker ticker_;
};

}  // namespace dbuild::progress
