// scratch_store.hpp: a content store in a temporary directory, for blobs that pass through this
// machine on their way between registries; the directory is removed with the object.
#pragma once

#include <filesystem>
#include <memory>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/status.hpp>

#include "content/clock.hpp"
#include "content/local_content_store.hpp"
#include "db/database.hpp"

namespace dbuild::cli {

class ScratchStore {
 public:
  /// Makes the directory under $TMPDIR (or /tmp) with a migrated database. Errors: the
  /// directory cannot be made (permission_denied, unavailable), or the database cannot be opened.
  [[nodiscard]] static sdk::Result<std::unique_ptr<ScratchStore>> create();
  ~ScratchStore();
  ScratchStore(const ScratchStore&) = delete;
  ScratchStore& operator=(const ScratchStore&) = delete;

  sdk::ContentStore& store() { return *store_; }

 private:
  explicit ScratchStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  std::filesystem::path dir_;
  content::SystemClock clock_;
  std::unique_ptr<db::Database> database_;  // before the store, which uses it
  std::unique_ptr<content::LocalContentStore> store_;
};

}  // namespace dbuild::cli
