// worker.hpp: what the solver asks of the machine that runs ops. The solver decides what runs,
// when, and whether the cache answers instead; a Worker does the running (snapshots, runc, file
// copies) and computes the content checksums that cache keys are made of.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <dbuild/sdk/definition.hpp>
#include <dbuild/sdk/progress.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::solver {

/// The result of one op: a committed snapshot (or none: the empty tree), or, for a local
/// source, a directory on this machine with the patterns that select from it.
struct VertexResult {
  std::optional<std::int64_t> snapshot;  // the snapshot id
  std::filesystem::path local_dir;       // Local sources only
  std::vector<std::string> include_patterns;
  std::vector<std::string> exclude_patterns;

  [[nodiscard]] bool is_local() const { return !local_dir.empty(); }
  friend bool operator==(const VertexResult&, const VertexResult&) = default;
};

/// What one op reads from a local source: a path (or wildcard) with the copy's own patterns.
struct LocalSelection {
  std::string path = "/";
  bool wildcard = false;
  bool follow_symlinks = true;
  std::vector<std::string> include_patterns;
  std::vector<std::string> exclude_patterns;
};

/// A local selection's checksum, with the files it covered (for history's "why did this step
/// run"): path -> "MODE DIGEST-OR-TARGET", the first kMaxListedFiles of them in walk order.
struct LocalChecksum {
  static constexpr std::size_t kMaxListedFiles = 1000;
  std::string digest;
  std::vector<std::pair<std::string, std::string>> files;
  std::size_t file_count = 0;
};

/// What a running op may use: its identity, a way to report, and a way to learn it must stop.
struct VertexContext {
  std::string digest;  // the op's digest, as progress events name it
  std::string name;    // the step as users see it
  sdk::ProgressSink& progress;
  std::stop_token stop;

  /// Emits a Log event for this vertex.
  void log(int stream, std::string_view data) const;
  /// Emits a Status event for this vertex.
  void status(const std::string& id, std::int64_t current, std::int64_t total) const;
};

class Worker {
 public:
  virtual ~Worker() = default;

  /// What identifies a source's content for cache keys without fetching it: for an image, its
  /// manifest digest (resolving a tag); for a local dir, its name and patterns. Errors:
  /// not_found (no such image or directory), unavailable.
  [[nodiscard]] virtual sdk::Result<std::string> source_identity(const sdk::SourceOp& op) = 0;

  /// A checksum of what `selection` picks from a local source: it changes when, and only when,
  /// what a copy of it would produce changes (content, names, modes, link targets; not mtimes).
  /// Errors: not_found (a path that does not exist: reported when the op runs, so the key
  /// then stands for "missing"), unavailable.
  [[nodiscard]] virtual sdk::Result<LocalChecksum> local_checksum(const VertexResult& local,
                                                                  const LocalSelection& selection) = 0;

  /// Makes a source available: unpacks an image into snapshots, or names a local directory.
  [[nodiscard]] virtual sdk::Result<VertexResult> source(const sdk::SourceOp& op, const VertexContext& context) = 0;

  /// Runs `op`; `inputs` holds the result of each of op_inputs(op), in that order.
  [[nodiscard]] virtual sdk::Result<VertexResult> exec(const sdk::ExecOp& op, const std::vector<VertexResult>& inputs,
                                                       const VertexContext& context) = 0;
  [[nodiscard]] virtual sdk::Result<VertexResult> file(const sdk::FileOp& op, const std::vector<VertexResult>& inputs,
                                                       const VertexContext& context) = 0;
  [[nodiscard]] virtual sdk::Result<VertexResult> merge(const sdk::MergeOp& op, const std::vector<VertexResult>& inputs,
                                                        const VertexContext& context) = 0;
  [[nodiscard]] virtual sdk::Result<VertexResult> diff(const sdk::DiffOp& op, const std::vector<VertexResult>& inputs,
                                                       const VertexContext& context) = 0;

  /// True while `result` can still be used (its snapshot was not pruned).
  [[nodiscard]] virtual bool available(const VertexResult& result) = 0;
};

}  // namespace dbuild::solver
