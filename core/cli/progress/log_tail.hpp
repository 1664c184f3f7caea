// log_tail.hpp: what every renderer keeps of a step's output: its lines, split from chunks that
// arrive cut anywhere, and the last few of them, so that the CLI can show why a step failed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <dbuild/sdk/progress.hpp>

namespace dbuild::progress {

/// One line of a step's output, without its newline.
struct TailLine {
  std::int64_t offset_ns = 0;  // when the line began, from the step's start (0 if it had not started)
  std::string text;

  friend bool operator==(const TailLine&, const TailLine&) = default;
};

/// A step that failed, as the CLI shows it at the end of the build.
struct StepFailure {
  std::string vertex;
  std::string name;
  std::string message;
  std::vector<TailLine> lines;  // the last lines of its output, oldest first
};

/// Splits a byte stream into lines. Keeps the unfinished last line until its newline arrives, and
/// remembers when that line began so that its offset is the one BuildKit would print.
class LineSplitter {
 public:
  /// Past this many bytes without a newline, the unfinished line is handed out as a line anyway,
  /// so that a step printing a progress bar with carriage returns cannot grow it without bound.
  static constexpr std::size_t kMaxLineBytes = 64 * 1024;

  /// Calls on_line(text, began_ns) for each line `data` completes.
  template <class OnLine>
  void feed(std::string_view data, std::int64_t now_ns, OnLine&& on_line) {
    while (!data.empty()) {
      auto newline = data.find('\n');
      if (newline == std::string_view::npos) {
        keep(data, now_ns, on_line);
        return;
      }
      auto piece = data.substr(0, newline);
      data.remove_prefix(newline + 1);
      if (unfinished_.empty()) {
        on_line(piece, now_ns);
        continue;
      }
      unfinished_.append(piece);
      on_line(std::string_view(unfinished_), began_ns_);
      unfinished_.clear();
    }
  }

  /// Hands out the unfinished line, if any, as a line (the step ended without a final newline).
  template <class OnLine>
  void flush(OnLine&& on_line) {
    if (unfinished_.empty()) return;
    on_line(std::string_view(unfinished_), began_ns_);
    unfinished_.clear();
  }

  [[nodiscard]] std::string_view unfinished() const noexcept { return unfinished_; }
  [[nodiscard]] std::int64_t unfinished_began_ns() const noexcept { return began_ns_; }

 private:
  template <class OnLine>
  void keep(std::string_view data, std::int64_t now_ns, OnLine& on_line) {
    if (unfinished_.empty()) began_ns_ = now_ns;
    unfinished_.append(data);
    if (unfinished_.size() >= kMaxLineBytes) flush(on_line);
  }

  std::string unfinished_;  // cleared, never shrunk: its capacity is reused by the next line
  std::int64_t began_ns_ = 0;
};

/// The last lines of every step's output, the steps' names and the failures, fed with the
/// engine's events. Not thread-safe: each renderer guards its LogTail with its own mutex.
class LogTail {
 public:
  /// BuildKit keeps ten lines per step for its failure report.
  static constexpr std::size_t kDefaultLines = 10;
  explicit LogTail(std::size_t lines_per_step = kDefaultLines);

  /// Records what `event` means for the steps' output: a start (offsets count from it), output
  /// bytes (split into lines, each kept and passed to on_line(offset_ns, text)), the end of a step
  /// (its unfinished lines become lines) and failures. `now_ns` stands in for a missing timestamp.
  template <class OnLine>
  void track(const sdk::ProgressEvent& event, std::int64_t now_ns, OnLine&& on_line) {
    if (event.vertex.empty()) return;
    Step& step = step_for(event);
    std::int64_t at = event.timestamp_ns != 0 ? event.timestamp_ns : now_ns;
    auto keep_and_pass = [&](std::string_view text, std::int64_t began_ns) { pass(step, text, began_ns, on_line); };
    switch (event.type) {
      case sdk::ProgressType::Started: start(step, at); break;
      case sdk::ProgressType::Log: step.streams[event.stream == 2 ? 1 : 0].feed(event.data, at, keep_and_pass); break;
      case sdk::ProgressType::Cached:
      case sdk::ProgressType::Completed:
      case sdk::ProgressType::Failed:
      case sdk::ProgressType::Cancelled:
        for (auto& stream : step.streams) stream.flush(keep_and_pass);
        if (event.type == sdk::ProgressType::Failed) record_failure(step, event.vertex, event.data);
        break;
      case sdk::ProgressType::Status:
      case sdk::ProgressType::Warning: break;
    }
  }

  /// Turns the unfinished lines of `vertex` into lines, as if it had ended (the build stopped).
  template <class OnLine>
  void flush_unfinished(std::string_view vertex, OnLine&& on_line) {
    auto found = steps_.find(vertex);
    if (found == steps_.end()) return;
    Step& step = found->second;
    auto keep_and_pass = [&](std::string_view text, std::int64_t began_ns) { pass(step, text, began_ns, on_line); };
    for (auto& stream : step.streams) stream.flush(keep_and_pass);
  }

  /// The last `n` lines `vertex` printed (at most the per-step capacity), oldest first.
  [[nodiscard]] std::vector<TailLine> last_lines(std::string_view vertex, std::size_t n) const;
  /// The line `vertex` is in the middle of printing, if any (the tty shows progress bars this way).
  [[nodiscard]] std::string_view unfinished_line(std::string_view vertex) const;
  /// Failed steps in the order they failed, each with the last lines it printed before failing.
  [[nodiscard]] const std::vector<StepFailure>& failures() const noexcept { return failures_; }
  /// The name a step was reported with ("" when none was).
  [[nodiscard]] std::string_view name(std::string_view vertex) const;

 private:
  struct Step {
    std::string name;
    bool started = false;
    bool failed = false;  // a step fails once, even if the engine says so twice
    std::int64_t start_ns = 0;
    LineSplitter streams[2];     // stdout, stderr: their lines are split separately
    std::vector<TailLine> ring;  // the last lines; strings are overwritten in place, not reallocated
    std::size_t next = 0;        // where the next line goes in `ring`
    std::size_t count = 0;       // lines in `ring`
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };

  template <class OnLine>
  void pass(Step& step, std::string_view text, std::int64_t began_ns, OnLine& on_line) {
    std::int64_t offset = step.started && began_ns > step.start_ns ? began_ns - step.start_ns : 0;
    keep(step, offset, text);
    on_line(offset, text);
  }
  Step& step_for(const sdk::ProgressEvent& event);
  static void start(Step& step, std::int64_t at) noexcept;
  void keep(Step& step, std::int64_t offset_ns, std::string_view text);
  void record_failure(Step& step, std::string_view vertex, std::string_view message);
  static std::vector<TailLine> last_of(const Step& step, std::size_t n);

  std::size_t lines_per_step_;
  std::unordered_map<std::string, Step, Hash, std::equal_to<>> steps_;
  std::vector<StepFailure> failures_;
};

}  // namespace dbuild::progress
