// tty_renderer.cpp: the tty renderer's state (steps, sub-tasks, warnings) and the drawing of
// frames over each other with cursor movement.
#include "cli/progress/tty_renderer.hpp"

#include <iterator>

#include <fmt/format.h>

#include "cli/progress/format.hpp"
#include "cli/progress/summary.hpp"

namespace dbuild::progress {

struct TtyRenderer::SubTask {
  std::string id;
  std::int64_t began_ns = 0;
  std::int64_t ended_ns = 0;
  std::int64_t current = 0;
  std::int64_t total = 0;
  bool done = false;
};

struct TtyRenderer::Step {
  std::string vertex;
  std::string name;  // sanitised for the terminal
  State state = State::Running;
  bool saw_start = false;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::vector<SubTask> tasks;
  std::vector<std::string> warnings;
};

namespace {

// A transfer's average rate so far (" 4.20MB/s"), shown while it runs and has been running long
// enough for the figure to mean something; a finished transfer shows its total and time instead.
void append_rate(std::string& out, std::int64_t bytes, std::int64_t elapsed_ns) {
  constexpr std::int64_t kMinElapsedNs = 500'000'000;
  if (bytes <= 0 || elapsed_ns < kMinElapsedNs) return;
  out += ' ';
  append_bytes(out, static_cast<std::int64_t>(static_cast<double>(bytes) * 1e9 / static_cast<double>(elapsed_ns)));
  out += "/s";
}

}  // namespace

TtyRenderer::TtyRenderer(std::ostream& out, Clock& clock, TtyOptions options)
    : out_(out), clock_(clock), options_(std::move(options)), start_ns_(clock.now_ns()) {
  if (options_.redraw_interval.count() > 0) ticker_.start(options_.redraw_interval, [this] { redraw(); });
}

TtyRenderer::~TtyRenderer() { finish(); }

bool TtyRenderer::redrawing_in_background() const noexcept { return ticker_.running(); }

void TtyRenderer::emit(const sdk::ProgressEvent& event) noexcept {
  try {
    std::lock_guard lock(mutex_);
    std::int64_t at = event.timestamp_ns != 0 ? event.timestamp_ns : clock_.now_ns();
    tail_.track(event, at, [](std::int64_t, std::string_view) {});  // output is drawn from the tail
    if (!finished_) handle(event, at);
  } catch (...) {
    // Out of memory: this event is not shown. Progress output must not fail a build.
  }
}

void TtyRenderer::handle(const sdk::ProgressEvent& event, std::int64_t at) {
  if (event.vertex.empty()) {
    if (event.type == sdk::ProgressType::Warning) warnings_.push_back(warning_text(event.data, event.location));
    return;
  }
  Step& step = step_for(event, at);
  switch (event.type) {
    case sdk::ProgressType::Started:
      if (!step.saw_start) step.start_ns = at;  // rather than the time of an earlier stray event
      step.saw_start = true;
      break;
    case sdk::ProgressType::Log: break;
    case sdk::ProgressType::Status: on_status(step, event, at); break;
    case sdk::ProgressType::Warning: {
      std::string text = warning_text(event.data, event.location);
      step.warnings.push_back(sanitize_for_terminal(text));
      warnings_.push_back(std::move(text));
      break;
    }
    case sdk::ProgressType::Cached:
    case sdk::ProgressType::Completed:
    case sdk::ProgressType::Failed:
    case sdk::ProgressType::Cancelled: on_end(step, event.type, at); break;
  }
}

TtyRenderer::Step& TtyRenderer::step_for(const sdk::ProgressEvent& event, std::int64_t at) {
  auto found = steps_.find(std::string_view(event.vertex));
  if (found == steps_.end()) {
    auto step = std::make_unique<Step>();
    step->vertex = event.vertex;
    step->start_ns = at;
    order_.push_back(step.get());
    found = steps_.emplace(event.vertex, std::move(step)).first;
  }
  Step& step = *found->second;
  if (step.name.empty() && !event.name.empty()) step.name = sanitize_for_terminal(event.name);
  return step;
}

void TtyRenderer::on_status(Step& step, const sdk::ProgressEvent& event, std::int64_t at) {
  SubTask* task = nullptr;
  for (auto& candidate : step.tasks) {
    if (candidate.id == event.id) task = &candidate;
  }
  if (task == nullptr) task = &step.tasks.emplace_back(SubTask{.id = sanitize_for_terminal(event.id), .began_ns = at});
  if (task->done) return;
  task->current = event.current;
  task->total = event.total;
  if (event.total > 0 && event.current >= event.total) {
    task->done = true;
    task->ended_ns = at;
  }
}

void TtyRenderer::on_end(Step& step, sdk::ProgressType type, std::int64_t at) {
  if (step.state != State::Running) return;
  switch (type) {
    case sdk::ProgressType::Cached: step.state = State::Cached; break;
    case sdk::ProgressType::Failed: step.state = State::Failed; break;
    case sdk::ProgressType::Cancelled: step.state = State::Cancelled; break;
    default: step.state = State::Done;
  }
  step.end_ns = at;
  for (auto& task : step.tasks) {
    if (task.done) continue;
    task.done = true;
    task.ended_ns = at;
  }
}

std::vector<std::string> TtyRenderer::recent_output(const Step& step) const {
  std::vector<std::string> lines;
  if (options_.output_lines == 0) return lines;
  std::string unfinished = sanitize_for_terminal(tail_.unfinished_line(step.vertex));
  std::size_t wanted = options_.output_lines - (unfinished.empty() ? 0 : 1);
  for (const auto& line : tail_.last_lines(step.vertex, wanted)) {
    std::string text = sanitize_for_terminal(line.text);
    if (text.find_first_not_of(' ') != std::string::npos) lines.push_back(std::move(text));
  }
  if (unfinished.find_first_not_of(' ') != std::string::npos) lines.push_back(std::move(unfinished));
  return lines;
}

void TtyRenderer::add_step_rows(std::vector<JobRow>& rows, const Step& step, std::int64_t now, bool final) const {
  bool running = step.state == State::Running;
  JobRow row;
  switch (step.state) {
    case State::Running: break;
    case State::Cached: row.name = "CACHED "; break;
    case State::Done: break;
    case State::Failed: row.name = "ERROR "; break;
    case State::Cancelled: row.name = "CANCELED "; break;
  }
  row.name += step.name.empty() ? step.vertex : step.name;
  row.duration_ns = (running ? now : step.end_ns) - step.start_ns;
  row.color = running                          ? RowColor::Plain
              : step.state == State::Failed    ? RowColor::Error
              : step.state == State::Cancelled ? RowColor::Cancelled
                                               : RowColor::Done;
  row.running = running;
  if (running && !final) row.output = recent_output(step);
  std::vector<std::string> output = std::move(row.output);
  rows.push_back(std::move(row));
  for (const auto& task : step.tasks) {
    JobRow sub;
    sub.name = "=> " + task.id;
    sub.running = running;
    if (task.total != 0) {
      append_bytes(sub.status, task.current);
      sub.status += " / ";
      append_bytes(sub.status, task.total);
      if (!task.done) append_rate(sub.status, task.current, now - task.began_ns);
    } else if (task.current != 0) {
      append_bytes(sub.status, task.current);
    }
    sub.duration_ns = (task.done ? task.ended_ns : now) - task.began_ns;
    sub.color = task.done ? RowColor::Done : RowColor::Plain;
    rows.push_back(std::move(sub));
  }
  for (const auto& warning : step.warnings) {
    JobRow row_for_warning;
    row_for_warning.name = "WARN: " + warning;
    row_for_warning.color = RowColor::Warning;
    row_for_warning.running = running;
    rows.push_back(std::move(row_for_warning));
  }
  // Output goes under the last row of the step, after its sub-tasks, as BuildKit's terminal does.
  rows.back().output = std::move(output);
}

std::vector<JobRow> TtyRenderer::job_rows(std::int64_t now, bool final) const {
  std::vector<JobRow> rows;
  rows.reserve(order_.size());
  for (const Step* step : order_) add_step_rows(rows, *step, now, final);
  return rows;
}

std::string TtyRenderer::header(std::int64_t now, bool final) const {
  std::size_t completed = 0;
  for (const Step* step : order_) completed += step->state == State::Running ? 0 : 1;
  std::string text = "[+] Building ";
  append_seconds(text, now - start_ns_);
  fmt::format_to(std::back_inserter(text), "s ({}/{})", completed, order_.size());
  if (final && completed > 0 && completed == order_.size()) text += " FINISHED";
  return text;
}

// Called with draw_mutex_ and mutex_ held.
std::string TtyRenderer::frame(bool final) {
  std::int64_t now = clock_.now_ns();
  TerminalSize size = options_.terminal_size ? options_.terminal_size() : TerminalSize{};
  if (final) size.rows = 0;  // the final frame shows every step; the terminal scrolls
  auto lines = layout_frame(header(now, final), job_rows(now, final), size);
  std::string text = "\x1b[?25l";  // hide the cursor while drawing, as BuildKit does
  if (frame_lines_ > 0) fmt::format_to(std::back_inserter(text), "\x1b[{}A\r", frame_lines_);
  for (const auto& line : lines) {
    const char* color = options_.colors ? color_code(line.color) : "";
    text += color;
    text += line.text;
    if (*color != '\0') text += "\x1b[0m";
    text += "\x1b[K\n";
  }
  int drawn = static_cast<int>(lines.size());
  if (frame_lines_ > drawn) {  // the previous frame was taller: blank its last lines
    for (int i = drawn; i < frame_lines_; ++i) text += "\x1b[K\n";
    fmt::format_to(std::back_inserter(text), "\x1b[{}A", frame_lines_ - drawn);
  }
  text += "\x1b[?25h";
  frame_lines_ = drawn;
  return text;
}

void TtyRenderer::redraw() noexcept {
  try {
    std::lock_guard draw_lock(draw_mutex_);
    std::string text;
    {
      std::lock_guard lock(mutex_);
      if (finished_) return;
      text = frame(false);
    }
    write_text(out_, text);
  } catch (...) {
    // Out of memory: this frame is skipped; the next one redraws everything.
  }
}

void TtyRenderer::finish() noexcept {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
  }
  ticker_.stop();
  try {
    std::lock_guard draw_lock(draw_mutex_);
    std::string text;
    {
      std::lock_guard lock(mutex_);
      text = frame(true);
      for (const auto& failure : tail_.failures()) append_failure_report(text, failure);
      append_warning_summary(text, warnings_, options_.colors);
    }
    write_text(out_, text);
  } catch (...) {
    // Out of memory: the final frame is not drawn.
  }
}

}  // namespace dbuild::progress
