// history_store.hpp: the build history in history.db (schema: share/migrations/history/): one
// record per build with its steps (logs zstd-compressed, cache-key inputs) and outputs, written
// by the engine's recorder and read by `dbuild history`. References resolve as buildx's do: the
// full ref, a unique prefix, "" or "^0" for the latest, "^N" for the N-th before it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::db {
class Database;
}

namespace dbuild::history {

struct BuildRecord {
  std::int64_t id = 0;
  std::string ref;
  std::string name;
  std::string builder = "default";
  std::string node = "default";
  std::string driver = "local";
  std::string session;
  std::string frontend;
  std::string context;
  std::string git_url;
  std::string git_commit;
  std::string dockerfile;
  std::string dockerfile_digest;
  std::string dockerfile_text;  // kept when under 256 KiB
  std::string target;
  std::vector<std::string> platforms;
  std::map<std::string, std::string> build_args;
  std::map<std::string, std::string> labels;
  std::string outputs_requested = "[]";  // JSON array of {"type", "attributes"}
  std::int64_t started = 0;              // ns since the epoch
  std::int64_t completed = 0;            // 0 while running
  std::string status = "running";        // running, completed, failed, cancelled, interrupted
  std::string error;
  std::string error_file;
  int error_line = 0;  // 0: none
  int total_steps = 0;
  int cached_steps = 0;
  std::int64_t bytes_exported = 0;
  std::vector<std::string> warnings;
};

struct StepRecord {
  std::int64_t id = 0;
  int number = 0;
  std::string digest;
  std::string name;
  std::string stage;  // "" when the name has none
  int position = 0;   // 0 when the name has none
  std::int64_t started = 0;
  std::int64_t completed = 0;
  std::string state = "skipped";  // done, cached, failed, cancelled, skipped
  std::optional<int> exit_code;
  std::string error;
  std::string source_file;
  int source_line = 0;
  std::string cache_key;
  std::string key_inputs;  // JSON, see share/doc/history.md
  std::string log;         // the output (when written, or read with logs)
  std::int64_t log_bytes = 0;
  std::int64_t log_dropped = 0;
};

struct OutputRecord {
  std::string type;
  std::string attributes = "{}";  // JSON object
  std::string digest;
  std::string config_digest;
  std::string names;
  bool pushed = false;
};

struct BuildFilter {
  std::vector<std::string> statuses;  // any of them; empty: all
  std::int64_t since = 0;             // started at or after (ns); 0: any time
  std::string name;                   // substring of the name
  std::string target;
  std::size_t limit = 0;              // 0: no limit
};

struct RetentionPolicy {
  std::size_t max_entries = 0;  // 0: no limit
  std::int64_t max_age_ns = 0;  // 0: no limit
};

/// One matching line of a stored log.
struct LogMatch {
  std::string ref;
  int step_number = 0;
  std::string step_name;
  std::string line;
};

/// "[build 2/4] RUN make" -> ("build", 2); "[3/5] COPY" -> ("", 3); others -> ("", 0).
[[nodiscard]] std::pair<std::string, int> stage_and_position(const std::string& step_name);

/// A new build ref: 25 random lower-case letters and digits.
[[nodiscard]] std::string new_ref();

/// zstd, for logs (level 3). Errors: internal.
[[nodiscard]] sdk::Result<std::string> compress_log(const std::string& text);
[[nodiscard]] sdk::Result<std::string> decompress_log(const std::string& compressed);

class HistoryStore {
 public:
  /// Opens (read_only: without creating or migrating) `state_root`/history.db. Errors:
  /// failed_precondition (not a database, corrupt, or newer: the message names the file and the
  /// hint says how to move it aside), not_found (read_only and none yet), unavailable.
  [[nodiscard]] static sdk::Result<std::unique_ptr<HistoryStore>> open(const std::filesystem::path& state_root,
                                                                        bool read_only = false);
  ~HistoryStore();
  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;

  [[nodiscard]] db::Database& database() { return *database_; }
  /// How long one write waits for another process's lock before it gives up, in one attempt
  /// (default: the database's busy timeout, retried as db::run_in_transaction does). The engine
  /// sets a short wait: a build does not stall for a record it can do without.
  void set_lock_wait(std::chrono::milliseconds wait);
  [[nodiscard]] const std::filesystem::path& path() const;

  /// Inserts `build` as running; sets its id (and its ref when empty).
  [[nodiscard]] sdk::Status begin(BuildRecord& build);
  /// Completes a begun build with its steps and outputs, in one transaction.
  [[nodiscard]] sdk::Status finish(const BuildRecord& build, const std::vector<StepRecord>& steps,
                                   const std::vector<OutputRecord>& outputs);
  /// Marks the running builds of `session` (a process that died) interrupted; returns how many.
  [[nodiscard]] sdk::Result<int> mark_interrupted(const std::string& session);

  /// Newest first.
  [[nodiscard]] sdk::Result<std::vector<BuildRecord>> list(const BuildFilter& filter);
  /// Errors: not_found (no such build, or no build at all), invalid_argument (an ambiguous prefix, a bad ^N).
  [[nodiscard]] sdk::Result<BuildRecord> find(const std::string& ref);
  [[nodiscard]] sdk::Result<std::vector<StepRecord>> steps(std::int64_t build, bool with_logs);
  [[nodiscard]] sdk::Result<std::vector<OutputRecord>> outputs(std::int64_t build);
  /// The most recent build before `before` (by start) that has a step at (stage, position) or
  /// named `name`, with that step; nullopt when there is none.
  [[nodiscard]] sdk::Result<std::optional<std::pair<BuildRecord, StepRecord>>> previous_step(
      const BuildRecord& before, const StepRecord& step);

  /// Removes builds (with their steps, logs and outputs).
  [[nodiscard]] sdk::Status remove(const std::vector<std::int64_t>& builds);
  /// Removes what the policy does not keep (never running builds); returns how many.
  [[nodiscard]] sdk::Result<int> apply_retention(const RetentionPolicy& policy, std::int64_t now_ns);

  /// Lines of stored logs matching the FTS5 query `pattern`, newest builds first.
  [[nodiscard]] sdk::Result<std::vector<LogMatch>> search(const std::string& pattern, std::int64_t since_ns,
                                                          std::size_t limit);

 private:
  explicit HistoryStore(std::unique_ptr<db::Database> database);
  sdk::Status write(std::string_view purpose, const std::function<sdk::Status()>& work);
  std::unique_ptr<db::Database> database_;
  int write_attempts_ = 0;  // 0: run_in_transaction's default
};

}  // namespace dbuild::history
