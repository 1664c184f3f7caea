// plain_renderer.cpp: BuildKit's plain progress format, including how parallel steps take turns
// at the output (BuildKit's antiFlicker and maxDelay) and how sub-task updates are thinned out.
#include "cli/progress/plain_renderer.hpp"

#include <iterator>

#include <fmt/format.h>

#include "cli/progress/format.hpp"
#include "cli/progress/summary.hpp"
#include "cli/progress/terminal.hpp"

namespace dbuild::progress {
namespace {

constexpr std::int64_t kMillis = 1'000'000;
constexpr std::int64_t kSeconds = 1'000'000'000;
// A step holds the output at least this long before waiting lines of another step may take it.
constexpr std::int64_t kTurnAfterNs = 5 * kSeconds;
// Lines never wait longer than this.
constexpr std::int64_t kMaxWaitNs = 10 * kSeconds;
// A running sub-task prints again only after this much progress (of its total) or time.
constexpr double kSubTaskMinProgress = 0.05;
constexpr std::int64_t kSubTaskMinIntervalNs = 5 * kSeconds;
// A sub-task's first progress line waits this long: BuildKit prints what a 100 ms tick gathered,
// so a task that ends within it shows only its "done" line.
constexpr std::int64_t kSubTaskFirstLineNs = 100 * kMillis;
// Past this much unwritten text, the writing thread is woken early.
constexpr std::size_t kWakeWriterBytes = 256 * 1024;

}  // namespace

struct PlainRenderer::SubTask {
  std::string id;
  std::int64_t began_ns = 0;
  std::int64_t current = 0;
  std::int64_t total = 0;
  std::int64_t printed_current = 0;
  std::int64_t printed_ns = 0;
  bool printed = false;
  bool done = false;
};

struct PlainRenderer::Step {
  std::string vertex;
  std::string name;
  int number = 0;  // the N of "#N", given when the step is first printed
  bool started = false;
  bool ended = false;
  std::int64_t start_ns = 0;
  std::string waiting;  // lines, without their "#N " prefix, held while another step has the output
  std::int64_t waiting_since_ns = 0;
  std::vector<SubTask> tasks;
};

PlainRenderer::PlainRenderer(std::ostream& out, Clock& clock, PlainOptions options)
    : out_(out), clock_(clock), options_(options) {
  if (options_.write_interval.count() > 0) {
    threaded_ = ticker_.start(options_.write_interval, [this] { tick(); });
  }
}

PlainRenderer::~PlainRenderer() { finish(); }

void PlainRenderer::emit(const sdk::ProgressEvent& event) noexcept {
  try {
    std::lock_guard lock(mutex_);
    std::int64_t at = event.timestamp_ns != 0 ? event.timestamp_ns : clock_.now_ns();
    if (finished_) {
      tail_.track(event, at, [](std::int64_t, std::string_view) {});
      return;
    }
    handle(event, at);
    if (!threaded_) {
      write_text(out_, text_);
      text_.clear();
    } else if (text_.size() > kWakeWriterBytes) {
      ticker_.wake();
    }
  } catch (...) {
    // Out of memory while formatting: this event is not shown. Progress output must not fail a build.
  }
}

void PlainRenderer::handle(const sdk::ProgressEvent& event, std::int64_t at) {
  if (event.vertex.empty()) {
    if (event.type == sdk::ProgressType::Warning) warnings_.push_back(warning_text(event.data, event.location));
    return;
  }
  Step& step = step_for(event);
  tail_.track(event, at, [&](std::int64_t offset_ns, std::string_view text) {
    std::string& buffer = line_buffer(step, at);
    append_log_offset(buffer, offset_ns);
    buffer += ' ';
    buffer.append(text);
    buffer += '\n';
  });
  switch (event.type) {
    case sdk::ProgressType::Started:
      if (!step.started) {
        step.started = true;
        step.start_ns = at;
      }
      if (current_ == nullptr) show(step, at);
      break;
    case sdk::ProgressType::Log: break;
    case sdk::ProgressType::Status: on_status(step, event, at); break;
    case sdk::ProgressType::Warning: {
      std::string text = warning_text(event.data, event.location);
      std::string& buffer = line_buffer(step, at);
      buffer += "WARN: ";
      buffer += text;
      buffer += '\n';
      warnings_.push_back(std::move(text));
      break;
    }
    case sdk::ProgressType::Cached:
    case sdk::ProgressType::Completed:
    case sdk::ProgressType::Failed:
    case sdk::ProgressType::Cancelled: on_end(step, event, at); return;
  }
  take_turns(at);
}

PlainRenderer::Step& PlainRenderer::step_for(const sdk::ProgressEvent& event) {
  auto found = steps_.find(std::string_view(event.vertex));
  if (found == steps_.end()) {
    auto step = std::make_unique<Step>();
    step->vertex = event.vertex;
    order_.push_back(step.get());
    found = steps_.emplace(event.vertex, std::move(step)).first;
  }
  Step& step = *found->second;
  if (step.name.empty() && !event.name.empty()) step.name = event.name;
  return step;
}

void PlainRenderer::on_status(Step& step, const sdk::ProgressEvent& event, std::int64_t at) {
  SubTask* task = nullptr;
  for (auto& candidate : step.tasks) {
    if (candidate.id == event.id) task = &candidate;
  }
  if (task == nullptr) task = &step.tasks.emplace_back(SubTask{.id = event.id, .began_ns = at});
  task->current = event.current;
  task->total = event.total;
  if (task->done) return;
  bool done = event.total > 0 && event.current >= event.total;
  if (!done && !task->printed && at - task->began_ns < kSubTaskFirstLineNs) return;
  if (!done && task->printed) {
    double progress =
        event.total > 0 ? static_cast<double>(event.current - task->printed_current) / static_cast<double>(event.total)
                        : 0.0;
    if (progress < kSubTaskMinProgress && at - task->printed_ns < kSubTaskMinIntervalNs) return;
  }
  task->done = done;
  print_sub_task(step, *task, at);
}

void PlainRenderer::print_sub_task(Step& step, SubTask& task, std::int64_t at) {
  std::string& buffer = line_buffer(step, at);
  buffer += task.id;
  if (task.total != 0) {
    buffer += ' ';
    append_bytes(buffer, task.current);
    buffer += " / ";
    append_bytes(buffer, task.total);
  } else if (task.current != 0) {
    buffer += ' ';
    append_bytes(buffer, task.current);
  }
  if (at - task.began_ns > 10 * kMillis) {  // BuildKit leaves out timers under 0.01 s
    buffer += ' ';
    append_seconds(buffer, at - task.began_ns);
    buffer += 's';
  }
  if (task.done) buffer += " done";
  buffer += '\n';
  task.printed = true;
  task.printed_current = task.current;
  task.printed_ns = at;
}

void PlainRenderer::on_end(Step& step, const sdk::ProgressEvent& event, std::int64_t at) {
  if (step.ended) return;  // a second end for the same step says nothing new
  if (event.type == sdk::ProgressType::Completed) {
    for (auto& task : step.tasks) {
      if (task.done) continue;
      task.done = true;  // a step that completed has finished its sub-tasks
      print_sub_task(step, task, at);
    }
  }
  show(step, at);  // ends print at once, as BuildKit prints completed steps first
  auto out = std::back_inserter(text_);
  switch (event.type) {
    case sdk::ProgressType::Cached: fmt::format_to(out, "#{} CACHED\n", step.number); break;
    case sdk::ProgressType::Failed: fmt::format_to(out, "#{} ERROR: {}\n", step.number, event.data); break;
    case sdk::ProgressType::Cancelled: fmt::format_to(out, "#{} CANCELED\n", step.number); break;
    default:
      fmt::format_to(out, "#{} DONE", step.number);
      if (step.started) {
        text_ += ' ';
        append_seconds(text_, at - step.start_ns);
        text_ += 's';
      }
      text_ += '\n';
  }
  step.ended = true;
  current_ = nullptr;
  hand_over(at);
}

std::string& PlainRenderer::line_buffer(Step& step, std::int64_t at) {
  if (current_ != nullptr && current_ != &step) {
    if (step.waiting.empty()) step.waiting_since_ns = at;
    return step.waiting;
  }
  show(step, at);
  fmt::format_to(std::back_inserter(text_), "#{} ", step.number);
  return text_;
}

void PlainRenderer::show(Step& step, std::int64_t at) {
  if (current_ == &step) return;
  if (current_ != nullptr) fmt::format_to(std::back_inserter(text_), "#{} ...\n", current_->number);
  if (printed_any_) text_ += '\n';
  printed_any_ = true;
  if (step.number == 0) step.number = ++printed_steps_;
  fmt::format_to(std::back_inserter(text_), "#{} {}\n", step.number, step.name.empty() ? step.vertex : step.name);
  current_ = &step;
  current_since_ns_ = at;
  std::string_view waiting = step.waiting;
  while (!waiting.empty()) {
    auto end = waiting.find('\n');
    fmt::format_to(std::back_inserter(text_), "#{} {}\n", step.number, waiting.substr(0, end));
    waiting.remove_prefix(end == std::string_view::npos ? waiting.size() : end + 1);
  }
  step.waiting.clear();
}

void PlainRenderer::hand_over(std::int64_t at) {
  if (Step* next = longest_waiting()) {
    show(*next, at);
    return;
  }
  // Like BuildKit, give the output to a running step even if it has nothing to say yet: its
  // header then tells the reader what is still going on.
  for (Step* step : order_) {
    if (step->started && !step->ended) {
      show(*step, at);
      return;
    }
  }
}

void PlainRenderer::take_turns(std::int64_t at) {
  if (current_ == nullptr) {
    hand_over(at);
    return;
  }
  Step* next = longest_waiting();
  if (next == nullptr) return;
  if (at - current_since_ns_ >= kTurnAfterNs || at - next->waiting_since_ns >= kMaxWaitNs) show(*next, at);
}

PlainRenderer::Step* PlainRenderer::longest_waiting() const {
  Step* longest = nullptr;
  for (Step* step : order_) {
    if (step->waiting.empty()) continue;
    if (longest == nullptr || step->waiting_since_ns < longest->waiting_since_ns) longest = step;
  }
  return longest;
}

void PlainRenderer::finish_blocks(std::int64_t at) {
  for (Step* step : order_) {
    if (step->ended) continue;
    tail_.flush_unfinished(step->vertex, [&](std::int64_t offset_ns, std::string_view text) {
      std::string& buffer = line_buffer(*step, at);
      append_log_offset(buffer, offset_ns);
      buffer += ' ';
      buffer.append(text);
      buffer += '\n';
    });
  }
  while (Step* next = longest_waiting()) show(*next, at);
  for (const auto& failure : tail_.failures()) append_failure_report(text_, failure);
  append_warning_summary(text_, warnings_);
}

void PlainRenderer::finish() noexcept {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
  }
  ticker_.stop();
  try {
    std::lock_guard lock(mutex_);
    finish_blocks(clock_.now_ns());
    writing_.swap(text_);
    text_.clear();
  } catch (...) {
    // Out of memory: write what was formatted.
  }
  write_text(out_, writing_);
  writing_.clear();
}

void PlainRenderer::tick() noexcept {
  try {
    {
      std::lock_guard lock(mutex_);
      if (!finished_) take_turns(clock_.now_ns());
      writing_.swap(text_);
    }
    write_text(out_, writing_);
    writing_.clear();
  } catch (...) {
    // Out of memory while switching steps: the next tick tries again.
  }
}

}  // namespace dbuild::progress
