// renderer.hpp: the progress renderers behind `dbuild build --progress=...`: what they share (the
// Renderer interface, the log tail the CLI reads for its error message) and the factory.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <ostream>
#include <string_view>
#include <vector>

#include <dbuild/sdk/progress.hpp>
#include <dbuild/sdk/status.hpp>

#include "cli/progress/clock.hpp"
#include "cli/progress/log_tail.hpp"

namespace dbuild::progress {

/// The --progress values, as buildx spells them.
enum class Mode { Auto, Tty, Plain, RawJson, Quiet };

/// "auto", "tty", "plain", "rawjson" or "quiet". Errors: invalid_argument naming the valid ones.
[[nodiscard]] sdk::Result<Mode> parse_mode(std::string_view text);
[[nodiscard]] std::string_view mode_name(Mode mode) noexcept;

/// A ProgressSink that shows a build to a person or a program. emit() is safe from any thread and
/// never throws; it does no I/O on the caller's thread (text is written by a background thread,
/// at most ~10 times a second), so a slow terminal or pipe does not slow the build.
///
/// Every renderer keeps the last lines of each step's output (LogTail), so that after a failure
/// the CLI can show them in its error message whatever the mode.
class Renderer : public sdk::ProgressSink {
 public:
  /// Writes what is left, draws the final state, prints the failure report and warning summary
  /// (tty and plain), and stops the background thread. Idempotent; events emitted afterwards
  /// still reach the log tail but are not shown. Never throws. Destructors call it.
  virtual void finish() noexcept = 0;

  /// The last `n` lines (at most LogTail::kDefaultLines) step `vertex` printed, oldest first.
  /// Safe from any thread, during or after the build.
  [[nodiscard]] std::vector<TailLine> last_lines(std::string_view vertex, std::size_t n = LogTail::kDefaultLines) const;
  /// The steps that failed, in the order they failed, each with its last lines.
  [[nodiscard]] std::vector<StepFailure> failures() const;

 protected:
  /// Guards everything a renderer holds, tail_ included. One lock: events are small and the
  /// work under it is formatting into memory, never I/O.
  mutable std::mutex mutex_;
  LogTail tail_;
};

/// The renderer for `mode` writing to `out` (buildx prints progress on stderr; so does dbuild).
/// Auto is tty when `out_is_terminal`, plain otherwise. Tty reads the terminal's width with
/// TIOCGWINSZ when `out` is std::cerr, std::clog or std::cout, and uses colours unless NO_COLOR
/// is set. `out` and `clock` must outlive the renderer.
[[nodiscard]] std::unique_ptr<Renderer> make_renderer(Mode mode, std::ostream& out, bool out_is_terminal, Clock& clock);

}  // namespace dbuild::progress
