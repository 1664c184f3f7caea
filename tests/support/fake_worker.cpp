// fake_worker.cpp: the in-memory worker and cache store.
#include "support/fake_worker.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <thread>

namespace dbuild::test {

sdk::Result<std::string> FakeWorker::source_identity(const sdk::SourceOp& op) {
  if (op.kind == sdk::SourceKind::Local) return "local:" + op.identifier;
  if (op.identifier == "missing") return sdk::Status::not_found("image \"missing\" not found");
  auto found = image_digests.find(op.identifier);
  return found == image_digests.end() ? std::string("sha256:image") : found->second;
}

sdk::Result<solver::LocalChecksum> FakeWorker::local_checksum(const solver::VertexResult&,
                                                              const solver::LocalSelection& selection) {
  std::lock_guard lock(mutex_);
  auto found = checksums.find(selection.path);
  const std::string digest = found == checksums.end() ? std::string("v1") : found->second;
  return solver::LocalChecksum{digest, {{selection.path, digest}}, 1};
}

solver::VertexResult FakeWorker::next_result(const solver::VertexContext& context) {
  std::lock_guard lock(mutex_);
  ran_.push_back(context.name);
  return solver::VertexResult{next_snapshot_++, {}, {}, {}};
}

sdk::Result<solver::VertexResult> FakeWorker::source(const sdk::SourceOp& op, const solver::VertexContext& context) {
  if (op.kind == sdk::SourceKind::Local) return solver::VertexResult{std::nullopt, "/context/" + op.identifier, {}, {}};
  return next_result(context);
}

namespace {

// Counts `count` up while alive and keeps `highest` at the most seen.
class Occupancy {
 public:
  Occupancy(std::atomic<int>& count, std::atomic<int>& highest) : count_(count) {
    int now = ++count_;
    int seen = highest.load();
    while (now > seen && !highest.compare_exchange_weak(seen, now)) {
    }
  }
  ~Occupancy() { --count_; }
  Occupancy(const Occupancy&) = delete;
  Occupancy& operator=(const Occupancy&) = delete;

 private:
  std::atomic<int>& count_;
};

// "sleep:MS" waits MS milliseconds, or less when stopped; false when stopped.
bool sleep_if_asked(const std::string& action, std::stop_token stop) {
  if (action.rfind("sleep:", 0) != 0) return true;
  std::mutex wait_mutex;
  std::condition_variable_any wake;
  std::unique_lock wait_lock(wait_mutex);
  (void)wake.wait_for(wait_lock, stop, std::chrono::milliseconds(std::stoi(action.substr(6))), [] { return false; });
  return !stop.stop_requested();
}

}  // namespace

sdk::Result<solver::VertexResult> FakeWorker::exec(const sdk::ExecOp& op, const std::vector<solver::VertexResult>&,
                                                   const solver::VertexContext& context) {
  Occupancy occupancy(concurrent_, max_concurrent_);
  const std::string action = op.args.empty() ? "" : op.args.front();
  auto result = next_result(context);
  context.log(1, "running " + action + "\n");
  if (!sleep_if_asked(action, context.stop)) return sdk::Status::cancelled("killed");
  if (action == "fail") return sdk::Status::failed_precondition("process \"fail\" did not complete successfully: exit code: 1");
  return result;
}

sdk::Result<solver::VertexResult> FakeWorker::file(const sdk::FileOp& op, const std::vector<solver::VertexResult>&,
                                                   const solver::VertexContext& context) {
  Occupancy occupancy(concurrent_files_, max_concurrent_files_);
  const auto* mkdir = op.actions.empty() ? nullptr : std::get_if<sdk::MkdirAction>(&op.actions.front());
  if (mkdir && !sleep_if_asked(mkdir->path, context.stop)) return sdk::Status::cancelled("stopped");
  return next_result(context);
}

sdk::Result<solver::VertexResult> FakeWorker::merge(const sdk::MergeOp&, const std::vector<solver::VertexResult>&,
                                                    const solver::VertexContext& context) {
  return next_result(context);
}

sdk::Result<solver::VertexResult> FakeWorker::diff(const sdk::DiffOp&, const std::vector<solver::VertexResult>&,
                                                   const solver::VertexContext& context) {
  return next_result(context);
}

bool FakeWorker::available(const solver::VertexResult& result) {
  std::lock_guard lock(mutex_);
  return !result.snapshot || std::find(pruned.begin(), pruned.end(), *result.snapshot) == pruned.end();
}

std::vector<std::string> FakeWorker::ran() const {
  std::lock_guard lock(mutex_);
  return ran_;
}

sdk::Result<std::optional<solver::VertexResult>> MemoryCacheStore::lookup(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto found = records_.find(key);
  if (found == records_.end()) return std::optional<solver::VertexResult>();
  return std::optional<solver::VertexResult>(found->second);
}

sdk::Status MemoryCacheStore::record(const std::string& key, const solver::VertexResult& result) {
  std::lock_guard lock(mutex_);
  records_[key] = result;
  return sdk::Status::ok();
}

std::size_t MemoryCacheStore::size() const {
  std::lock_guard lock(mutex_);
  return records_.size();
}

void MemoryCacheStore::copy_from(const MemoryCacheStore& other) {
  std::scoped_lock lock(mutex_, other.mutex_);
  records_ = other.records_;
}

}  // namespace dbuild::test
