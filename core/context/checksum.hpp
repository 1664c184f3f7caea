// checksum.hpp: content checksums of what a step reads from a local build context, for cache
// keys. A file's digest is remembered with its (size, mtime, ctime, inode) in the state
// database, so that a rebuild of an unchanged context is a stat walk, not a rehash.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "solver/worker.hpp"

namespace dbuild::db {
class Database;
}

namespace dbuild::context {

/// A regular file of a context and its lstat, whose digest is wanted.
struct ContextFile {
  std::string relative;
  struct stat info;
};

/// File digests by (root, path), loaded per root on first use and written back by flush().
/// Thread-safe.
class ChecksumCache {
 public:
  /// Files not answered from the cache are read and hashed on up to `hash_threads` threads
  /// (0 counts as 1); the digests do not depend on it.
  ChecksumCache(db::Database& database, unsigned hash_threads);
  ~ChecksumCache();

  /// The sha256 of the regular file `root`/`relative` whose lstat is `info`: the remembered
  /// one when size, mtime, ctime and inode are unchanged, else read and hashed now.
  /// Errors: unavailable (cannot read).
  [[nodiscard]] sdk::Result<std::string> file_digest(const std::filesystem::path& root, const std::string& relative,
                                                     const struct stat& info);

  /// The cached digest of a file whose size, mtime, ctime and inode are unchanged; no reading.
  [[nodiscard]] std::optional<std::string> cached_digest(const std::filesystem::path& root, const std::string& relative,
                                                         const struct stat& info);

  /// file_digest of each of `files`, in their order; the ones to read are hashed in parallel.
  [[nodiscard]] sdk::Result<std::vector<std::string>> file_digests(const std::filesystem::path& root,
                                                                   const std::vector<ContextFile>& files);

  /// Writes the digests computed since the last flush. Errors: unavailable (the database);
  /// the digests are then simply computed again next time.
  [[nodiscard]] sdk::Status flush();

  /// How many files were read and hashed (not answered from the cache) so far.
  [[nodiscard]] std::uint64_t files_hashed_for_test() const { return files_hashed_; }

 private:
  struct Entry;
  struct Root;
  Root& root_for(const std::filesystem::path& root);

  db::Database& database_;
  const unsigned hash_threads_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Root>> roots_;
  std::atomic<std::uint64_t> files_hashed_{0};
};

/// The checksum of what `selection` picks from the local directory `root`, where the source
/// op's include/exclude patterns apply first. Covers each selected path's name, type, mode,
/// file content and link target; not owners (COPY from a context resets them) and not mtimes.
/// The result lists the files covered (solver::LocalChecksum). Errors: not_found (nothing
/// matches), invalid_argument (a bad pattern), unavailable.
[[nodiscard]] sdk::Result<solver::LocalChecksum> checksum_selection(ChecksumCache& cache,
                                                                   const std::filesystem::path& root,
                                                          const std::vector<std::string>& include_patterns,
                                                          const std::vector<std::string>& exclude_patterns,
                                                          const solver::LocalSelection& selection);

}  // namespace dbuild::context
