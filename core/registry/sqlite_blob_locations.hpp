// sqlite_blob_locations.hpp: the blob locations kept in the state root's database (table
// blob_locations of dbuild.db, migration 0003), so that `dbuild build --push` mounts the layers
// of a base image an earlier process pulled. Bounded, least recently used forgotten first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "registry/blob_location_store.hpp"

namespace dbuild::db {
class Database;
}

namespace dbuild::registry {

struct BlobLocationLimits {
  std::size_t max_rows = 20000;    // in all: about 2 MB of database
  std::size_t max_per_digest = 8;  // repositories per digest and registry, as BlobLocations
};

class SqliteBlobLocations final : public BlobLocationStore {
 public:
  using Limits = BlobLocationLimits;
  using Debug = std::function<void(const std::string&)>;
  using Clock = std::function<std::int64_t()>;  // Unix seconds

  /// Opens `database_path` on first use (migrating it, as the engine does), with its own
  /// connection so that it does not depend on the engine's lifetime. Problems go to `debug`
  /// (may be empty) and are otherwise ignored; a database that cannot be opened is not retried.
  explicit SqliteBlobLocations(std::filesystem::path database_path, Debug debug = {}, Limits limits = {},
                               Clock clock = {});
  ~SqliteBlobLocations() override;

  [[nodiscard]] std::vector<std::string> find(const std::string& registry, const sdk::Digest& digest) override;
  void record(std::span<const BlobLocation> locations) override;

 private:
  [[nodiscard]] db::Database* database();
  void report(const std::string& message);

  std::filesystem::path path_;
  Debug debug_;
  Limits limits_;
  Clock clock_;
  std::mutex mutex_;
  std::unique_ptr<db::Database> database_;
  bool open_failed_ = false;
};

}  // namespace dbuild::registry
