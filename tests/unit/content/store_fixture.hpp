// store_fixture.hpp: a migrated database and a LocalContentStore in a temporary root, a clock the
// test moves, and checks shared by the content tests.
#pragma once

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>

#include "content/local_content_store.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "support/process.hpp"
#include "temp_dir.hpp"

namespace dbuild::test {

class ManualClock final : public content::Clock {
 public:
  std::chrono::system_clock::time_point now() override { return now_; }
  void advance(std::chrono::seconds by) { now_ += by; }

 private:
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
};

inline void require_ok(const sdk::Status& status) {
  INFO(status.to_string());
  REQUIRE(status);
}

/// Opens (and migrates) the database at `<root>/dbuild.db` and the store over `root`.
struct OpenStore {
  explicit OpenStore(const std::filesystem::path& root, content::Clock& clock) {
    auto opened = db::Database::open(root / "dbuild.db", db::Mode::ReadWrite);
    INFO(opened.status().to_string());
    REQUIRE(opened);
    database = std::move(*opened);
    require_ok(db::migrate(*database));
    auto made = content::LocalContentStore::open(root, *database, clock);
    INFO(made.status().to_string());
    REQUIRE(made);
    store = std::move(*made);
  }
  std::unique_ptr<db::Database> database;
  std::unique_ptr<content::LocalContentStore> store;
};

struct StoreFixture {
  TempDir dir;
  ManualClock clock;
  OpenStore open{dir.path(), clock};
  db::Database& database = *open.database;
  content::LocalContentStore& store = *open.store;

  sdk::Digest write(std::string_view data) {
    auto digest = store.write(data);
    INFO(digest.status().to_string());
    REQUIRE(digest);
    return *digest;
  }
  std::filesystem::path ingest_dir() const { return dir.path() / "content" / "ingest"; }
  std::size_t ingest_files() const {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(ingest_dir())) ++count;
    return count;
  }
  content::Usage usage() {
    auto usage = store.usage();
    INFO(usage.status().to_string());
    REQUIRE(usage);
    return *usage;
  }
};

inline sdk::Digest digest_of(std::string_view text) {
  auto digest = sdk::Digest::parse(text);
  REQUIRE(digest);
  return *digest;
}

/// Checks the stored file with an independent tool: sha256sum of the file equals its name, and
/// the file is read-only.
inline void check_blob_file(const std::filesystem::path& file) {
  auto result = run_process({"sha256sum", file.string()});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.substr(0, 64) == file.filename().string());
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0444);
}

}  // namespace dbuild::test
