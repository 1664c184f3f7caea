// plain_renderer.hpp: `--progress=plain`, BuildKit's plain text format: numbered blocks per step
// ("#5 [build 2/4] RUN make", "#5 0.123 output", "#5 DONE 0.3s"), for logs and CI.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cli/progress/clock.hpp"
#include "cli/progress/renderer.hpp"
#include "cli/progress/ticker.hpp"

namespace dbuild::progress {

struct PlainOptions {
  /// How often the background thread writes. Zero: no thread, text is written at the end of each
  /// emit() (deterministic, for tests).
  std::chrono::milliseconds write_interval{100};
};

/// Prints each step as a block headed "#N name" (N counts steps in the order they are first
/// printed) and closed by "#N DONE 1.2s", "#N CACHED", "#N ERROR: ..." or "#N CANCELED".
///
/// Parallel steps take turns as in BuildKit: one step owns the output; another step's lines wait
/// until the owner ends, or has held the output for 5 s (or the waiting lines are 10 s old). A step
/// that gives the output up ends its block with "#N ..." and is headed again when it comes back.
///
/// Sub-tasks (Status events) print as "#N <id> <current> / <total> <time>", at most once per 5%
/// of progress or 5 s, and with " done" when current reaches total or the step completes.
class PlainRenderer final : public Renderer {
 public:
  PlainRenderer(std::ostream& out, Clock& clock, PlainOptions options = {});
  ~PlainRenderer() override;

  void emit(const sdk::ProgressEvent& event) noexcept override;
  void finish() noexcept override;

 private:
  struct SubTask;
  struct Step;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };

  void handle(const sdk::ProgressEvent& event, std::int64_t at);
  Step& step_for(const sdk::ProgressEvent& event);
  void on_status(Step& step, const sdk::ProgressEvent& event, std::int64_t at);
  void on_end(Step& step, const sdk::ProgressEvent& event, std::int64_t at);
  void print_sub_task(Step& step, SubTask& task, std::int64_t at);
  std::string& line_buffer(Step& step, std::int64_t at);
  void show(Step& step, std::int64_t at);
  void hand_over(std::int64_t at);
  void take_turns(std::int64_t at);
  Step* longest_waiting() const;
  void finish_blocks(std::int64_t at);
  void tick() noexcept;

  std::ostream& out_;
  Clock& clock_;
  PlainOptions options_;
  bool threaded_ = false;  // set once by the constructor: whether the ticker writes

  // Guarded by mutex_:
  std::unordered_map<std::string, std::unique_ptr<Step>, Hash, std::equal_to<>> steps_;
  std::vector<Step*> order_;  // first appearance: makes every choice between steps deterministic
  Step* current_ = nullptr;   // the step whose block is open
  std::int64_t current_since_ns_ = 0;
  int printed_steps_ = 0;     // the last #N handed out
  bool printed_any_ = false;  // blocks after the first start with an empty line
  std::vector<std::string> warnings_;
  std::string text_;  // formatted, not yet written
  bool finished_ = false;

  std::string writing_;  // only the writing thread (the ticker, then finish) touches it
  Ticker ticker_;
};

}  // namespace dbuild::progress
