// build_history.cpp: a build's history record, from the engine's side (see build_history.hpp).
#include "engine/build_history.hpp"

#include <chrono>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "oci/sha256.hpp"
#include "dbuild/sdk/time.hpp"

namespace dbuild::engine {
namespace {

namespace fs = std::filesystem;

std::string option(const sdk::SolveRequest& request, const std::string& key, const std::string& fallback = "") {
  auto found = request.frontend_options.find(key);
  return found == request.frontend_options.end() ? fallback : found->second;
}

std::string dir_of(const sdk::SolveRequest& request, const std::string& name) {
  auto found = request.local_dirs.find(name);
  return found == request.local_dirs.end() ? std::string() : found->second;
}

// What the request says about the build, secrets excepted (they are not in the request's options).
history::BuildRecord describe(const sdk::SolveRequest& request, const std::string& session) {
  history::BuildRecord build;
  build.session = session;
  build.frontend = request.frontend;
  build.started = sdk::now_ns();
  build.context = dir_of(request, "context");
  build.git_url = option(request, "vcs:source");
  build.git_commit = option(request, "vcs:revision");
  build.target = option(request, "target");
  const std::string dockerfile_dir = dir_of(request, "dockerfile");
  if (!dockerfile_dir.empty()) {
    const fs::path file = fs::path(dockerfile_dir) / option(request, "filename", "Dockerfile");
    build.dockerfile = file.lexically_normal().string();
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (in) {
      build.dockerfile_digest = oci::sha256_of(text.str()).str();
      if (text.str().size() <= 256 * 1024) build.dockerfile_text = text.str();
    }
  }
  const std::string context_name = fs::path(build.context).lexically_normal().filename().string();
  build.name = context_name.empty() || context_name == "." ? request.frontend : context_name;
  if (!build.target.empty()) build.name += " (" + build.target + ")";
  for (const auto& platform : request.platforms) build.platforms.push_back(platform.str());
  if (build.platforms.empty()) build.platforms.push_back(sdk::Platform::host().str());
  for (const auto& [key, value] : request.frontend_options) {
    if (key.rfind("build-arg:", 0) == 0) build.build_args[key.substr(10)] = value;
    if (key.rfind("label:", 0) == 0) build.labels[key.substr(6)] = value;
  }
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& output : request.exports) outputs.push_back({{"type", output.type}, {"attributes", output.attributes}});
  if (!request.tags.empty()) outputs.push_back({{"type", "tags"}, {"attributes", {{"name", request.tags}}}});
  build.outputs_requested = outputs.dump();
  return build;
}

std::vector<std::string> secret_values(const sdk::SolveRequest& request) {
  std::vector<std::string> values;
  for (const auto& [id, value] : request.secrets)
    if (!value.empty()) values.push_back(value);
  return values;
}

const char* state_name(solver::StepState state) { return solver::step_state_name(state); }

}  // namespace

BuildHistory::BuildHistory(history::HistoryStore* store, const sdk::Status& why_not, const HistorySettings& settings,
                           const sdk::SolveRequest& request, const std::string& session, sdk::ProgressSink& progress)
    : store_(store), settings_(settings), downstream_(progress),
      recorder_(progress, settings.log_ceiling, secret_values(request)), build_(describe(request, session)) {
  if (!store_) {
    if (!why_not) warn("the build history is not recorded: " + why_not.to_string());
    return;
  }
  if (auto status = store_->begin(build_); !status) {
    warn("the build history is not recorded: " + status.to_string());
    store_ = nullptr;
    build_.ref.clear();
    return;
  }
  begun_ = true;
}

void BuildHistory::warn(const std::string& message) {
  sdk::ProgressEvent event;
  event.type = sdk::ProgressType::Warning;
  event.timestamp_ns = sdk::now_ns();
  event.data = message;
  downstream_.emit(event);
  build_.warnings.push_back(message);
}

void BuildHistory::add_solved(const std::vector<solver::StepRecord>& steps) {
  for (const auto& step : steps) {
    history::SolvedStep solved;
    solved.digest = step.digest;
    solved.name = step.name;
    solved.state = state_name(step.state);
    solved.cache_key = step.cache_key;
    solved.key_inputs = step.key_inputs;
    solved.error = step.error;
    if (step.location) {
      solved.source_file = step.location->file;
      solved.source_line = step.location->line;
    }
    solved_.push_back(std::move(solved));
  }
}

void BuildHistory::add_output(const std::string& type, const sdk::Attributes& attributes,
                              const sdk::ExportResponse& response) {
  history::OutputRecord output;
  output.type = type;
  output.attributes = nlohmann::json(attributes).dump();
  auto meta = [&](const char* key) {
    auto found = response.metadata.find(key);
    return found == response.metadata.end() ? std::string() : found->second;
  };
  output.digest = meta("containerimage.digest");
  output.config_digest = meta("containerimage.config.digest");
  output.names = meta("image.name");
  auto push = attributes.find("push");
  output.pushed = push != attributes.end() && (push->second == "true" || push->second.empty());
  outputs_.push_back(std::move(output));
}

void BuildHistory::finish(const sdk::Status& outcome) {
  if (!begun_) return;
  build_.completed = sdk::now_ns();
  if (outcome) {
    build_.status = "completed";
  } else {
    build_.status = outcome.code() == sdk::Code::Cancelled ? "cancelled" : "failed";
    build_.error = outcome.to_string();
    if (outcome.location()) {
      build_.error_file = outcome.location()->file;
      build_.error_line = outcome.location()->line;
    }
  }
  auto steps = recorder_.steps(solved_, !outcome);
  for (const auto& step : steps) {
    if (step.state == "cached") ++build_.cached_steps;
  }
  build_.total_steps = static_cast<int>(steps.size());
  if (auto status = store_->finish(build_, steps, outputs_); !status) {
    warn("the build's history record is incomplete: " + status.to_string());
    return;
  }
  if (auto removed = store_->apply_retention(settings_.retention, build_.completed); !removed)
    warn("old build records were not removed: " + removed.status().to_string());
}

}  // namespace dbuild::engine
