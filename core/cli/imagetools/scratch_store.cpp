// scratch_store.cpp: see scratch_store.hpp.
#include "cli/imagetools/scratch_store.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "db/migrations.hpp"

namespace dbuild::cli {

namespace fs = std::filesystem;

sdk::Result<std::unique_ptr<ScratchStore>> ScratchStore::create() {
  std::error_code error;
  auto base = fs::temp_directory_path(error);
  if (error) base = "/tmp";
  std::string pattern = (base / "dbuild-scratch-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    return sdk::Status::unavailable("making a scratch directory in " + base.string() + ": " + std::strerror(errno));
  std::unique_ptr<ScratchStore> scratch(new ScratchStore(pattern));
  auto database = db::Database::open(scratch->dir_ / "dbuild.db", db::Mode::ReadWrite);
  if (!database) return database.status().with_context("opening the scratch content store");
  scratch->database_ = std::move(*database);
  if (auto status = db::migrate(*scratch->database_); !status)
    return status.with_context("opening the scratch content store");
  auto store = content::LocalContentStore::open(scratch->dir_, *scratch->database_, scratch->clock_);
  if (!store) return store.status().with_context("opening the scratch content store");
  scratch->store_ = std::move(*store);
  return scratch;
}

ScratchStore::~ScratchStore() {
  store_.reset();
  database_.reset();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

}  // namespace dbuild::cli
