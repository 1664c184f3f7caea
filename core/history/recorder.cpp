// recorder.cpp: remembering a build's steps from its progress events (see recorder.hpp).
#include "history/recorder.hpp"

#include <optional>
#include <regex>

namespace dbuild::history {

void Recorder::emit(const sdk::ProgressEvent& event) {
  downstream_.emit(event);
  if (event.vertex.empty() || event.type == sdk::ProgressType::Warning) return;
  std::lock_guard lock(mutex_);
  auto [found, inserted] = index_.emplace(event.vertex, steps_.size());
  if (inserted) {
    Step step;
    step.record.number = static_cast<int>(steps_.size()) + 1;
    step.record.digest = event.vertex;
    steps_.push_back(std::move(step));
  }
  auto& step = steps_[found->second];
  auto& record = step.record;
  if (record.name.empty() && !event.name.empty()) {
    record.name = event.name;
    std::tie(record.stage, record.position) = stage_and_position(record.name);
  }
  if (event.location && record.source_file.empty()) {
    record.source_file = event.location->file;
    record.source_line = event.location->line;
  }
  switch (event.type) {
    case sdk::ProgressType::Started:
      if (!record.started) record.started = event.timestamp_ns;
      break;
    case sdk::ProgressType::Cached:
      record.state = "cached";
      if (!record.started) record.started = event.timestamp_ns;
      record.completed = event.timestamp_ns;
      step.finished = true;
      break;
    case sdk::ProgressType::Completed:
      record.state = "done";
      record.completed = event.timestamp_ns;
      step.finished = true;
      break;
    case sdk::ProgressType::Failed:
      record.state = "failed";
      record.error = event.data;
      record.exit_code = exit_code_of(event.data);
      record.completed = event.timestamp_ns;
      step.finished = true;
      break;
    case sdk::ProgressType::Cancelled:
      record.state = "cancelled";
      record.completed = event.timestamp_ns;
      step.finished = true;
      break;
    case sdk::ProgressType::Log: {
      record.log_bytes += static_cast<std::int64_t>(event.data.size());
      const auto room = std::max<std::int64_t>(0, log_ceiling_ - static_cast<std::int64_t>(record.log.size()));
      const auto kept = std::min<std::int64_t>(room, static_cast<std::int64_t>(event.data.size()));
      record.log.append(event.data, 0, static_cast<std::size_t>(kept));
      record.log_dropped += static_cast<std::int64_t>(event.data.size()) - kept;
      break;
    }
    case sdk::ProgressType::Status:
    case sdk::ProgressType::Warning: break;
  }
}

std::vector<StepRecord> Recorder::steps(const std::vector<SolvedStep>& solved, bool failed) const {
  std::lock_guard lock(mutex_);
  std::vector<StepRecord> out;
  for (const auto& step : steps_) {
    out.push_back(step.record);
    for (const auto& secret : secrets_) {
      if (secret.empty()) continue;
      auto& log = out.back().log;
      for (auto at = log.find(secret); at != std::string::npos; at = log.find(secret, at + 4)) log.replace(at, secret.size(), "****");
    }
    // A step that started but never finished was stopped with its build.
    if (!step.finished && out.back().started) out.back().state = "cancelled";
  }
  std::map<std::string, std::size_t> by_digest;
  for (std::size_t i = 0; i < out.size(); ++i) by_digest.emplace(out[i].digest, i);
  for (const auto& known : solved) {
    auto found = by_digest.find(known.digest);
    if (found == by_digest.end()) {
      if (!failed && known.state != "done" && known.state != "cached") continue;
      StepRecord record;
      record.number = static_cast<int>(out.size()) + 1;
      record.digest = known.digest;
      record.name = known.name;
      std::tie(record.stage, record.position) = stage_and_position(record.name);
      record.state = known.state == "done" || known.state == "cached" ? known.state : "skipped";
      record.error = known.error;
      record.cache_key = known.cache_key;
      record.key_inputs = known.key_inputs;
      record.source_file = known.source_file;
      record.source_line = known.source_line;
      by_digest.emplace(known.digest, out.size());
      out.push_back(std::move(record));
      continue;
    }
    auto& record = out[found->second];
    record.cache_key = known.cache_key;
    record.key_inputs = known.key_inputs;
    if (record.source_file.empty()) {
      record.source_file = known.source_file;
      record.source_line = known.source_line;
    }
    if (record.error.empty()) record.error = known.error;
    if (!record.exit_code) record.exit_code = exit_code_of(record.error);
  }
  return out;
}

std::optional<int> exit_code_of(const std::string& error) {
  static const std::regex pattern(R"(exit code: (\d+))");
  std::smatch match;
  if (!std::regex_search(error, match, pattern)) return std::nullopt;
  return std::stoi(match[1].str());
}

}  // namespace dbuild::history
