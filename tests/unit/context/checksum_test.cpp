// checksum_test.cpp: selection checksums over a context, and the file checksum cache that
// keeps a rebuild of an unchanged context from reading it again.
#include <sys/stat.h>
#include <utime.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "context/checksum.hpp"
#include "context/file_hashing.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "oci/sha256.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using dbuild::context::ChecksumCache;
using dbuild::solver::LocalSelection;

namespace {

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

struct Fixture {
  dbuild::test::TempDir dir;
  fs::path context = dir.path() / "context";
  std::unique_ptr<dbuild::db::Database> database;
  std::unique_ptr<ChecksumCache> cache;

  Fixture() {
    write_file(context / "app/main.c", "int main() { return 0; }\n");
    write_file(context / "app/lib.c", "int lib;\n");
    write_file(context / "README", "readme\n");
    write_file(context / "big.bin", std::string(3 << 20, 'x'));
    reopen();
  }
  // Several threads by default, so that every case below also covers parallel hashing.
  void reopen(unsigned hash_threads = 3) {
    cache.reset();
    database.reset();
    auto opened = dbuild::db::Database::open(dir.path() / "state.db", dbuild::db::Mode::ReadWrite);
    REQUIRE(opened);
    database = std::move(opened).value();
    REQUIRE(dbuild::db::migrate(*database));
    cache = std::make_unique<ChecksumCache>(*database, hash_threads);
  }
  std::string checksum(LocalSelection selection, std::vector<std::string> exclude = {}) {
    auto sum = dbuild::context::checksum_selection(*cache, context, {}, exclude, selection);
    REQUIRE(sum);
    return sum->digest;
  }
};

}  // namespace

TEST_CASE("a checksum covers exactly the selected paths", "[context][checksum]") {
  Fixture fixture;
  auto app = fixture.checksum({.path = "app"});
  write_file(fixture.context / "README", "changed\n");
  CHECK(fixture.checksum({.path = "app"}) == app);
  write_file(fixture.context / "app/lib.c", "int lib2;\n");
  CHECK(fixture.checksum({.path = "app"}) != app);
}

TEST_CASE("a checksum follows content and modes, not mtimes", "[context][checksum]") {
  Fixture fixture;
  auto before = fixture.checksum({.path = "/app/main.c"});
  struct utimbuf times{1000000, 1000000};
  ::utime((fixture.context / "app/main.c").c_str(), &times);
  CHECK(fixture.checksum({.path = "/app/main.c"}) == before);
  ::chmod((fixture.context / "app/main.c").c_str(), 0755);
  CHECK(fixture.checksum({.path = "/app/main.c"}) != before);
}

TEST_CASE("wildcards, excluded paths and missing paths", "[context][checksum]") {
  Fixture fixture;
  auto c_files = fixture.checksum({.path = "app/*.c", .wildcard = true});
  write_file(fixture.context / "app/notes.txt", "not C\n");
  CHECK(fixture.checksum({.path = "app/*.c", .wildcard = true}) == c_files);
  write_file(fixture.context / "app/extra.c", "int extra;\n");
  CHECK(fixture.checksum({.path = "app/*.c", .wildcard = true}) != c_files);

  auto ignored = fixture.checksum({.path = "app"}, {"app/notes.txt"});
  write_file(fixture.context / "app/notes.txt", "still not C\n");
  CHECK(fixture.checksum({.path = "app"}, {"app/notes.txt"}) == ignored);

  auto missing = dbuild::context::checksum_selection(*fixture.cache, fixture.context, {}, {}, {.path = "nope"});
  REQUIRE_FALSE(missing);
  CHECK(missing.status().code() == dbuild::sdk::Code::NotFound);
}

TEST_CASE("an unchanged context is not read again, even by a new process", "[context][checksum][cache]") {
  Fixture fixture;
  auto first = fixture.checksum({.path = "/"});
  CHECK(fixture.cache->files_hashed_for_test() == 4);
  auto second = fixture.checksum({.path = "/"});
  CHECK(second == first);
  CHECK(fixture.cache->files_hashed_for_test() == 4);

  REQUIRE(fixture.cache->flush());
  fixture.reopen();
  CHECK(fixture.checksum({.path = "/"}) == first);
  CHECK(fixture.cache->files_hashed_for_test() == 0);

  SECTION("a touched file is read again, and the checksum stays") {
    struct utimbuf times{2000000, 2000000};
    ::utime((fixture.context / "big.bin").c_str(), &times);
    CHECK(fixture.checksum({.path = "/"}) == first);
    CHECK(fixture.cache->files_hashed_for_test() == 1);
  }
  SECTION("a rewritten file of the same size is read again and changes the checksum") {
    write_file(fixture.context / "README", "README\n");
    CHECK(fixture.checksum({.path = "/"}) != first);
    CHECK(fixture.cache->files_hashed_for_test() == 1);
  }
}

TEST_CASE("a checksum lists the files it covered, for history", "[context][checksum]") {
  Fixture fixture;
  auto sum = dbuild::context::checksum_selection(*fixture.cache, fixture.context, {}, {}, {.path = "app"});
  REQUIRE(sum);
  CHECK(sum->file_count == sum->files.size());
  REQUIRE_FALSE(sum->files.empty());
  for (const auto& [path, summary] : sum->files) {
    CHECK(path.rfind("app", 0) == 0);
    CHECK_FALSE(summary.empty());
  }
}

TEST_CASE("hashing on several threads gives one thread's checksum and still sees one changed file among many",
          "[context][checksum][threads]") {
  Fixture fixture;
  for (int i = 0; i < 300; ++i)
    write_file(fixture.context / ("many/dir" + std::to_string(i % 7)) / ("file" + std::to_string(i)),
               "file " + std::to_string(i) + "\n" + std::string(static_cast<std::size_t>(i * 37), 'a' + i % 26));
  write_file(fixture.context / "many/large.bin", std::string((5 << 20) / 2, 'y'));  // more than one read buffer
  write_file(fixture.context / "many/empty", "");

  fixture.reopen(1);
  const auto one_thread = fixture.checksum({.path = "/"});
  const auto files = fixture.cache->files_hashed_for_test();
  CHECK(files == 306);
  fixture.reopen(4);  // nothing was flushed: every file is read again
  CHECK(fixture.checksum({.path = "/"}) == one_thread);
  CHECK(fixture.cache->files_hashed_for_test() == files);

  write_file(fixture.context / "many/dir3/file150", "file 150\n" + std::string(150 * 37, 'A' + 150 % 26));
  const auto changed = fixture.checksum({.path = "/"});
  CHECK(changed != one_thread);
  CHECK(fixture.cache->files_hashed_for_test() == files + 1);
  fixture.reopen(1);
  CHECK(fixture.checksum({.path = "/"}) == changed);
}

TEST_CASE("hash_files gives each file's sha256 in the order asked, on any number of threads",
          "[context][checksum][threads]") {
  dbuild::test::TempDir dir;
  write_file(dir.path() / "empty", "");
  write_file(dir.path() / "abc", "abc");
  write_file(dir.path() / "large", std::string(3 << 20, 'z'));
  std::vector<dbuild::context::FileToHash> files{
      {dir.path() / "empty", 0}, {dir.path() / "large", 3 << 20}, {dir.path() / "abc", 3}};
  for (unsigned threads : {0u, 1u, 2u, 5u}) {
    auto digests = dbuild::context::hash_files(files, threads);
    REQUIRE(digests);
    REQUIRE(digests->size() == 3);
    CHECK((*digests)[0] == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK((*digests)[2] == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK((*digests)[1] == dbuild::oci::sha256_of(std::string(3 << 20, 'z')).str());
  }
  files.push_back({dir.path() / "missing", 0});
  auto failed = dbuild::context::hash_files(files, 2);
  REQUIRE_FALSE(failed);
  CHECK(failed.status().code() == dbuild::sdk::Code::Unavailable);
}
