// log_tail.cpp: the per-step ring of last lines and the failure records behind LogTail.
#include "cli/progress/log_tail.hpp"

#include <algorithm>

namespace dbuild::progress {

LogTail::LogTail(std::size_t lines_per_step) : lines_per_step_(std::max<std::size_t>(lines_per_step, 1)) {}

LogTail::Step& LogTail::step_for(const sdk::ProgressEvent& event) {
  auto found = steps_.find(std::string_view(event.vertex));
  if (found == steps_.end()) found = steps_.try_emplace(event.vertex).first;
  Step& step = found->second;
  if (step.name.empty() && !event.name.empty()) step.name = event.name;
  return step;
}

void LogTail::start(Step& step, std::int64_t at) noexcept {
  if (step.started) return;
  step.started = true;
  step.start_ns = at;
}

void LogTail::keep(Step& step, std::int64_t offset_ns, std::string_view text) {
  if (step.ring.size() < lines_per_step_) {
    step.ring.push_back(TailLine{offset_ns, std::string(text)});
  } else {
    step.ring[step.next].offset_ns = offset_ns;
    step.ring[step.next].text.assign(text);  // reuses the capacity of the line it replaces
  }
  step.next = (step.next + 1) % lines_per_step_;
  step.count = std::min(step.count + 1, lines_per_step_);
}

std::vector<TailLine> LogTail::last_of(const Step& step, std::size_t n) {
  n = std::min(n, step.count);
  std::vector<TailLine> lines;
  lines.reserve(n);
  std::size_t capacity = step.ring.size();
  // The oldest kept line sits at `next` once the ring is full, at 0 before.
  std::size_t first = (step.next + capacity - n) % capacity;
  for (std::size_t i = 0; i < n; ++i) lines.push_back(step.ring[(first + i) % capacity]);
  return lines;
}

std::vector<TailLine> LogTail::last_lines(std::string_view vertex, std::size_t n) const {
  auto found = steps_.find(vertex);
  if (found == steps_.end() || found->second.count == 0) return {};
  return last_of(found->second, n);
}

std::string_view LogTail::unfinished_line(std::string_view vertex) const {
  auto found = steps_.find(vertex);
  if (found == steps_.end()) return {};
  const auto& streams = found->second.streams;
  std::string_view out = streams[0].unfinished();
  std::string_view err = streams[1].unfinished();
  if (out.empty()) return err;
  if (err.empty()) return out;
  return streams[1].unfinished_began_ns() > streams[0].unfinished_began_ns() ? err : out;
}

std::string_view LogTail::name(std::string_view vertex) const {
  auto found = steps_.find(vertex);
  return found == steps_.end() ? std::string_view() : std::string_view(found->second.name);
}

void LogTail::record_failure(Step& step, std::string_view vertex, std::string_view message) {
  if (step.failed) return;
  step.failed = true;
  failures_.push_back(StepFailure{std::string(vertex), step.name, std::string(message),
                                  step.count == 0 ? std::vector<TailLine>{} : last_of(step, step.count)});
}

}  // namespace dbuild::progress
