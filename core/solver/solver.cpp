// solver.cpp: deciding what runs (cache lookups from the output down), then running it with a
// bounded number of threads (RUN steps, which mostly wait, by a larger bound than the steps that
// work in this process), in dependency order, stopping everything at the first failure.
#include "solver/solver.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <variant>

#include "solver/plan.hpp"
#include "dbuild/sdk/time.hpp"

namespace dbuild::solver {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::string step_name(const sdk::DefinitionNode& node) {
  if (!node.metadata.description.empty()) return node.metadata.description;
  return std::string(sdk::op_kind_name(node.op)) + " op";
}

// Everything one solve shares between the deciding phase and the running threads.
class Run {
 public:
  Run(const sdk::Definition& definition, const Plan& plan, Worker& worker, CacheStore& cache,
      sdk::ProgressSink& progress, const SolveOptions& options)
      : definition_(definition), plan_(plan), worker_(worker), cache_(cache), progress_(progress),
        options_(options), results_(definition.size()), to_run_(definition.size(), false),
        steps_(definition.size()), stop_callback_(options.stop, [this] { stop_.request_stop(); }) {
    for (sdk::OpIndex index = 0; index < definition.size(); ++index) {
      steps_[index].digest = plan.digests[index];
      steps_[index].cache_key = plan.cache_keys[index];
      steps_[index].key_inputs = plan.key_inputs[index];
      steps_[index].name = step_name(definition.node(index));
      steps_[index].location = definition.node(index).metadata.location;
    }
  }

  void decide(sdk::OpIndex output);
  sdk::Status execute();
  [[nodiscard]] const std::optional<VertexResult>& result(sdk::OpIndex index) const { return results_[index]; }
  [[nodiscard]] std::vector<StepRecord> step_records() const;
  [[nodiscard]] std::vector<CacheEntry> cache_entries(sdk::OpIndex output) const;

 private:
  sdk::ProgressEvent event(sdk::ProgressType type, sdk::OpIndex index) const {
    sdk::ProgressEvent out;
    out.type = type;
    out.vertex = plan_.digests[index];
    out.name = steps_[index].name;
    out.timestamp_ns = sdk::now_ns();
    out.location = steps_[index].location;
    return out;
  }
  using CachedList = std::vector<std::pair<sdk::OpIndex, std::optional<VertexResult>>>;
  void walk(std::vector<sdk::OpIndex>& pending, std::vector<bool>& visited, std::vector<bool>& imported,
            CachedList& cached);
  void realize_needed(sdk::OpIndex output, std::vector<bool>& imported, std::vector<sdk::OpIndex>& pending);
  void warn(sdk::OpIndex index, std::string message);
  void mark_cached(sdk::OpIndex index, std::optional<VertexResult> result);
  void mark_local(sdk::OpIndex index);
  void run_one(sdk::OpIndex index);
  [[nodiscard]] bool is_exec(sdk::OpIndex index) const {
    return std::holds_alternative<sdk::ExecOp>(definition_.node(index).op);
  }
  std::deque<sdk::OpIndex>::iterator next_startable(std::size_t limit, std::size_t cpu_limit);
  sdk::Result<VertexResult> call_worker(sdk::OpIndex index, const std::vector<VertexResult>& inputs,
                                        const VertexContext& context);

  const sdk::Definition& definition_;
  const Plan& plan_;
  Worker& worker_;
  CacheStore& cache_;
  sdk::ProgressSink& progress_;
  const SolveOptions& options_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::optional<VertexResult>> results_;
  std::vector<bool> to_run_;
  std::vector<StepRecord> steps_;
  std::deque<sdk::OpIndex> ready_;
  std::vector<std::vector<sdk::OpIndex>> dependents_;
  std::vector<int> waiting_;
  std::size_t running_ = 0;
  std::size_t running_cpu_ = 0;  // of running_, the ops other than exec (see SolveOptions)
  sdk::Status failure_;
  std::stop_source stop_;
  std::stop_callback<std::function<void()>> stop_callback_;
};

void Run::mark_cached(sdk::OpIndex index, std::optional<VertexResult> result) {
  results_[index] = std::move(result);
  steps_[index].state = StepState::Cached;
  steps_[index].started_ns = steps_[index].completed_ns = sdk::now_ns();
  progress_.emit(event(sdk::ProgressType::Cached, index));
}

void Run::mark_local(sdk::OpIndex index) {
  results_[index] = plan_.local_results[index];
  steps_[index].state = StepState::Done;
  steps_[index].started_ns = sdk::now_ns();
  progress_.emit(event(sdk::ProgressType::Started, index));
  steps_[index].completed_ns = sdk::now_ns();
  progress_.emit(event(sdk::ProgressType::Completed, index));
}

// From the output down: an op the cache can answer stops the walk; one it cannot must run, and
// then so must be decided whatever it reads. An imported record answers like a local one, but
// its result is made local only where it is needed; when that fails, the step runs instead.
void Run::decide(sdk::OpIndex output) {
  std::vector<bool> visited(definition_.size(), false);
  std::vector<bool> imported(definition_.size(), false);  // answered by an imported record
  CachedList cached;
  std::vector<sdk::OpIndex> pending = {output};
  while (!pending.empty()) {
    walk(pending, visited, imported, cached);
    realize_needed(output, imported, pending);
  }
  for (sdk::OpIndex index = 0; index < definition_.size(); ++index)
    if (imported[index]) cached.emplace_back(index, results_[index]);
  // Steps the output needs only through a cached op are shown as cached when their record is
  // there, as BuildKit shows every step of a fully cached build.
  for (sdk::OpIndex index = 0; index < definition_.size(); ++index) {
    if (!plan_.needed[index] || visited[index] || plan_.local_results[index]) continue;
    auto hit = cache_.lookup(plan_.cache_keys[index]);
    if (hit && *hit) cached.emplace_back(index, std::move(**hit));
    else if (options_.imported && options_.imported->knows(plan_.cache_keys[index])) cached.emplace_back(index, std::nullopt);
  }
  // Reported in op order, as a reader expects steps to appear.
  std::sort(cached.begin(), cached.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [index, result] : cached) mark_cached(index, std::move(result));
}

void Run::walk(std::vector<sdk::OpIndex>& pending, std::vector<bool>& visited, std::vector<bool>& imported,
               CachedList& cached) {
  while (!pending.empty()) {
    auto index = pending.back();
    pending.pop_back();
    if (visited[index]) continue;
    visited[index] = true;
    if (plan_.local_results[index]) {
      mark_local(index);
      continue;
    }
    if (!plan_.forced[index]) {
      auto hit = cache_.lookup(plan_.cache_keys[index]);
      if (hit && *hit && worker_.available(**hit)) {
        cached.emplace_back(index, std::move(**hit));
        continue;
      }
      if (options_.imported && options_.imported->has_result(plan_.cache_keys[index])) {
        imported[index] = true;
        continue;
      }
    }
    to_run_[index] = true;
    for (auto input : plan_.inputs[index]) pending.push_back(input);
  }
}

// Realizes the imported results something needs: the output (unless the caller reads it from
// the import: lazy_output), and the inputs of steps that run. A step whose import fails runs,
// which may make more imported results needed (`pending`).
void Run::realize_needed(sdk::OpIndex output, std::vector<bool>& imported, std::vector<sdk::OpIndex>& pending) {
  std::vector<bool> needed(definition_.size(), false);
  needed[output] = !options_.lazy_output;
  for (sdk::OpIndex index = 0; index < definition_.size(); ++index)
    if (to_run_[index])
      for (auto input : plan_.inputs[index]) needed[input] = true;
  for (sdk::OpIndex index = 0; index < definition_.size(); ++index) {
    if (!imported[index] || !needed[index] || results_[index]) continue;
    const auto& key = plan_.cache_keys[index];
    VertexContext context{plan_.digests[index], steps_[index].name, progress_, stop_.get_token()};
    auto realized = options_.imported->realize(key, context);
    if (realized) {
      if (auto recorded = cache_.record(key, *realized); !recorded) warn(index, "not recorded in the local cache: " + recorded.to_string());
      results_[index] = std::move(*realized);
      continue;
    }
    warn(index, "the imported cache could not be used, the step runs: " + realized.status().to_string());
    imported[index] = false;
    to_run_[index] = true;
    for (auto input : plan_.inputs[index]) pending.push_back(input);
  }
}

void Run::warn(sdk::OpIndex index, std::string message) {
  auto warning = event(sdk::ProgressType::Warning, index);
  warning.data = std::move(message);
  progress_.emit(warning);
}

sdk::Result<VertexResult> Run::call_worker(sdk::OpIndex index, const std::vector<VertexResult>& inputs,
                                           const VertexContext& context) {
  return std::visit(Overloaded{
                        [&](const sdk::SourceOp& op) { return worker_.source(op, context); },
                        [&](const sdk::ExecOp& op) { return worker_.exec(op, inputs, context); },
                        [&](const sdk::FileOp& op) { return worker_.file(op, inputs, context); },
                        [&](const sdk::MergeOp& op) { return worker_.merge(op, inputs, context); },
                        [&](const sdk::DiffOp& op) { return worker_.diff(op, inputs, context); },
                    },
                    definition_.node(index).op);
}

void Run::run_one(sdk::OpIndex index) {
  std::vector<VertexResult> inputs;
  {
    std::lock_guard lock(mutex_);
    for (auto input : plan_.inputs[index]) inputs.push_back(*results_[input]);
    steps_[index].started_ns = sdk::now_ns();
  }
  auto started = event(sdk::ProgressType::Started, index);
  for (auto input : plan_.inputs[index]) started.inputs.push_back(plan_.digests[input]);
  progress_.emit(started);

  VertexContext context{plan_.digests[index], steps_[index].name, progress_, stop_.get_token()};
  auto result = call_worker(index, inputs, context);
  if (result) {
    if (auto recorded = cache_.record(plan_.cache_keys[index], *result); !recorded)
      warn(index, "the result of this step was not cached: " + recorded.to_string());
  }

  std::lock_guard lock(mutex_);
  auto& step = steps_[index];
  step.completed_ns = sdk::now_ns();
  --running_;
  if (!is_exec(index)) --running_cpu_;
  if (result) {
    step.state = StepState::Done;
    results_[index] = std::move(*result);
    progress_.emit(event(sdk::ProgressType::Completed, index));
    for (auto dependent : dependents_[index])
      if (--waiting_[dependent] == 0) ready_.push_back(dependent);
  } else {
    auto status = std::move(result).status();
    const bool cancelled = status.code() == sdk::Code::Cancelled;
    step.state = cancelled ? StepState::Cancelled : StepState::Failed;
    step.error = status.to_string();
    auto failed = event(cancelled ? sdk::ProgressType::Cancelled : sdk::ProgressType::Failed, index);
    failed.data = step.error;
    progress_.emit(failed);
    if (!cancelled && failure_.is_ok()) {
      failure_ = std::move(status).with_context(step.name);
      if (step.location) failure_ = std::move(failure_).with_location(*step.location);
    }
    stop_.request_stop();
  }
  changed_.notify_all();
}

// The first ready op in order that the limits let start: a RUN while fewer than `limit` steps
// run, any other op while also fewer than `cpu_limit` of those run. Called with mutex_ held.
std::deque<sdk::OpIndex>::iterator Run::next_startable(std::size_t limit, std::size_t cpu_limit) {
  if (running_ >= limit) return ready_.end();
  return std::find_if(ready_.begin(), ready_.end(),
                      [&](sdk::OpIndex index) { return is_exec(index) || running_cpu_ < cpu_limit; });
}

sdk::Status Run::execute() {
  const auto count = definition_.size();
  dependents_.assign(count, {});
  waiting_.assign(count, 0);
  for (sdk::OpIndex index = 0; index < count; ++index) {
    if (!to_run_[index]) continue;
    std::vector<sdk::OpIndex> unique_inputs = plan_.inputs[index];
    std::sort(unique_inputs.begin(), unique_inputs.end());
    unique_inputs.erase(std::unique(unique_inputs.begin(), unique_inputs.end()), unique_inputs.end());
    for (auto input : unique_inputs) {
      if (!to_run_[input]) continue;
      dependents_[input].push_back(index);
      ++waiting_[index];
    }
    if (waiting_[index] == 0) ready_.push_back(index);
  }
  const std::size_t limit = options_.max_parallel ? options_.max_parallel : kDefaultMaxParallel;
  const std::size_t cpu_limit = std::min<std::size_t>(
      limit, options_.max_parallel_cpu ? options_.max_parallel_cpu : std::max(1u, std::thread::hardware_concurrency()));

  std::vector<std::thread> threads;
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] {
      return stop_.stop_requested() || running_ == 0 || next_startable(limit, cpu_limit) != ready_.end();
    });
    if (stop_.stop_requested()) {
      changed_.wait(lock, [&] { return running_ == 0; });
      break;
    }
    auto next = next_startable(limit, cpu_limit);
    if (next == ready_.end()) break;  // nothing running and nothing ready: every op ran
    auto index = *next;
    ready_.erase(next);
    ++running_;
    if (!is_exec(index)) ++running_cpu_;
    threads.emplace_back([this, index] { run_one(index); });
  }
  lock.unlock();
  for (auto& thread : threads) thread.join();

  if (!failure_.is_ok()) return failure_;
  if (options_.stop.stop_requested()) return sdk::Status::cancelled("build cancelled");
  return sdk::Status::ok();
}

std::vector<StepRecord> Run::step_records() const {
  std::vector<StepRecord> records;
  for (sdk::OpIndex index = 0; index < definition_.size(); ++index)
    if (plan_.needed[index]) records.push_back(steps_[index]);
  return records;
}

// The ops whose results are the output's snapshot and its parents: an exec's root and a file
// op's base are what its snapshot is prepared on.
std::vector<bool> result_chain(const sdk::Definition& definition, const Plan& plan, sdk::OpIndex output) {
  std::vector<bool> chain(definition.size(), false);
  std::optional<sdk::OpIndex> at = output;
  while (at && !chain[*at]) {
    chain[*at] = true;
    const auto& op = definition.node(*at).op;
    std::optional<sdk::OpIndex> parent;
    if (const auto* exec = std::get_if<sdk::ExecOp>(&op)) parent = exec->root;
    else if (const auto* file = std::get_if<sdk::FileOp>(&op)) parent = file->base;
    at = parent ? std::optional<sdk::OpIndex>(plan.representative[*parent]) : std::nullopt;
  }
  return chain;
}

std::vector<CacheEntry> Run::cache_entries(sdk::OpIndex output) const {
  const auto chain = result_chain(definition_, plan_, output);
  std::vector<CacheEntry> entries;
  for (sdk::OpIndex index = 0; index < definition_.size(); ++index) {
    if (!plan_.needed[index] || plan_.local_results[index]) continue;
    if (steps_[index].state != StepState::Done && steps_[index].state != StepState::Cached) continue;
    entries.push_back({plan_.cache_keys[index], plan_.input_keys[index], results_[index], chain[index]});
  }
  return entries;
}

}  // namespace

const char* step_state_name(StepState state) noexcept {
  switch (state) {
    case StepState::Done: return "done";
    case StepState::Cached: return "cached";
    case StepState::Failed: return "failed";
    case StepState::Cancelled: return "cancelled";
    case StepState::Skipped: return "skipped";
  }
  return "unknown";
}

sdk::Result<SolveOutcome> Solver::solve(const sdk::Definition& definition, const SolveOptions& options,
                                        std::vector<StepRecord>* steps) {
  auto plan = make_plan(definition, worker_, options.no_cache);
  if (!plan) return plan.status();
  if (!definition.output) return SolveOutcome{};
  const auto output = plan->representative[*definition.output];

  Run run(definition, *plan, worker_, cache_, progress_, options);
  run.decide(output);
  auto status = run.execute();
  if (steps) *steps = run.step_records();
  if (!status) return status;
  SolveOutcome outcome{{}, std::nullopt, run.step_records(), run.cache_entries(output)};
  if (run.result(output)) outcome.result = *run.result(output);
  else outcome.imported_output = plan->cache_keys[output];  // only an imported record leaves it unset
  return outcome;
}

}  // namespace dbuild::solver
