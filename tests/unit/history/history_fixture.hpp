// history_fixture.hpp: a real history.db in a temporary state root, filled through HistoryStore
// with builds like the engine records (completed, cached, failed; steps with logs and cache-key
// inputs; outputs), then closed, so that tests can compare its bytes before and after.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "history/history_store.hpp"
#include "support/temp_dir.hpp"

namespace dbuild::test {

/// One step to record: "[build 2/3] RUN make" with its state and seconds taken.
struct StepSpec {
  std::string name;
  std::string state;  // done, cached, failed, ...
  double seconds = 0;
  std::string log;
};

struct BuildSpec {
  std::string ref;
  std::string status = "completed";
  std::int64_t started_ns = 0;
  double seconds = 1;
  std::vector<StepSpec> steps;
  std::string digest;  // of an image output, when not empty
};

class HistoryFixture {
 public:
  HistoryFixture();
  /// Records `build` (opening and closing the store).
  void add(const BuildSpec& build);
  /// Three builds an hour apart, ending now: a first one that ran everything (with logs and an
  /// image output), a cached one, and a failed one.
  void add_sample_builds();

  [[nodiscard]] const std::filesystem::path& root() const { return dir_.path(); }
  [[nodiscard]] std::filesystem::path file() const { return dir_.path() / "history.db"; }
  /// history.db's bytes.
  [[nodiscard]] std::string bytes() const;
  /// Rows per table, read through a connection of its own.
  [[nodiscard]] std::map<std::string, std::int64_t> row_counts() const;
  /// The files of the state root, but for SQLite's -shm and -wal.
  [[nodiscard]] std::vector<std::string> files() const;

 private:
  TempDir dir_;
};

/// Nanoseconds since the epoch, now.
[[nodiscard]] std::int64_t now_ns_for_test();

}  // namespace dbuild::test
