// fake_worker.hpp: a solver::Worker and CacheStore in memory, for solver tests. Exec ops act on
// their first argument: "sleep:MS" waits (stoppably), "fail" fails, "fail:CODE" exits CODE,
// anything else succeeds at once. File ops whose first action is a mkdir of "sleep:MS" wait too.
// Every op that runs gets a new snapshot id.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "solver/cache_store.hpp"
#include "solver/worker.hpp"

namespace dbuild::test {

class FakeWorker final : public solver::Worker {
 public:
  sdk::Result<std::string> source_identity(const sdk::SourceOp& op) override;
  sdk::Result<solver::LocalChecksum> local_checksum(const solver::VertexResult& local,
                                                    const solver::LocalSelection& selection) override;
  sdk::Result<solver::VertexResult> source(const sdk::SourceOp& op, const solver::VertexContext& context) override;
  sdk::Result<solver::VertexResult> exec(const sdk::ExecOp& op, const std::vector<solver::VertexResult>& inputs,
                                         const solver::VertexContext& context) override;
  sdk::Result<solver::VertexResult> file(const sdk::FileOp& op, const std::vector<solver::VertexResult>& inputs,
                                         const solver::VertexContext& context) override;
  sdk::Result<solver::VertexResult> merge(const sdk::MergeOp& op, const std::vector<solver::VertexResult>& inputs,
                                          const solver::VertexContext& context) override;
  sdk::Result<solver::VertexResult> diff(const sdk::DiffOp& op, const std::vector<solver::VertexResult>& inputs,
                                         const solver::VertexContext& context) override;
  bool available(const solver::VertexResult& result) override;

  /// What local_checksum answers for a path (default "v1"); tests change it to simulate edits.
  std::map<std::string, std::string> checksums;
  /// What source_identity answers for an image identifier (default "sha256:image").
  std::map<std::string, std::string> image_digests;
  /// Snapshot ids that were "pruned": available() says no.
  std::vector<std::int64_t> pruned;

  std::vector<std::string> ran() const;  // the names of the steps that ran, in start order
  int max_concurrent() const { return max_concurrent_; }              // exec ops at once
  int max_concurrent_files() const { return max_concurrent_files_; }  // file ops at once

 private:
  solver::VertexResult next_result(const solver::VertexContext& context);

  mutable std::mutex mutex_;
  std::vector<std::string> ran_;
  std::int64_t next_snapshot_ = 1;
  std::atomic<int> concurrent_{0};
  std::atomic<int> max_concurrent_{0};
  std::atomic<int> concurrent_files_{0};
  std::atomic<int> max_concurrent_files_{0};
};

class MemoryCacheStore final : public solver::CacheStore {
 public:
  sdk::Result<std::optional<solver::VertexResult>> lookup(const std::string& key) override;
  sdk::Status record(const std::string& key, const solver::VertexResult& result) override;
  std::size_t size() const;
  /// Takes over another store's records, as a second build on the same state would see them.
  void copy_from(const MemoryCacheStore& other);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, solver::VertexResult> records_;
};

}  // namespace dbuild::test
