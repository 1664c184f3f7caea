// ingest_cleanup_test.cpp: cleanup_ingest removes what a killed writer left and never touches a
// live writer's file.
#include <catch2/catch.hpp>

#include <csignal>

#include "child_process.hpp"
#include "store_fixture.hpp"

using dbuild::test::require_ok;

TEST_CASE("cleanup_ingest removes a killed writer's file and keeps a live writer's", "[content]") {
  dbuild::test::TempDir dir;
  dbuild::test::ManualClock clock;
  { dbuild::test::OpenStore create(dir.path(), clock); }  // migrated, then closed before fork
  dbuild::test::Pipe report;
  const pid_t child = dbuild::test::fork_child([&] {
    report.close_read();
    auto database = dbuild::db::Database::open(dir / "dbuild.db", dbuild::db::Mode::ReadWrite);
    if (!database) return 1;
    auto store = dbuild::content::LocalContentStore::open(dir.path(), **database, clock);
    if (!store) return 2;
    auto writer = (*store)->writer();
    if (!writer || !(*writer)->write("half a layer", 12)) return 3;
    report.send("w");
    ::raise(SIGKILL);  // killed mid-write: the writer never removes its file
    return 4;
  });
  REQUIRE(child > 0);
  report.close_write();
  REQUIRE(report.receive(1) == "w");
  REQUIRE(dbuild::test::wait_child(child) == 128 + SIGKILL);

  dbuild::test::OpenStore open(dir.path(), clock);
  auto& store = *open.store;
  auto live = store.writer();
  REQUIRE(live);
  REQUIRE((*live)->write("still writing", 13));
  const auto ingest = dir.path() / "content" / "ingest";
  auto count = [&] { return std::distance(std::filesystem::directory_iterator(ingest), {}); };
  REQUIRE(count() == 2);

  auto removed = store.cleanup_ingest(std::chrono::minutes(10));
  REQUIRE(removed);
  CHECK(*removed == 0);  // both files are younger than ten minutes
  clock.advance(std::chrono::hours(1));
  removed = store.cleanup_ingest(std::chrono::minutes(10));
  REQUIRE(removed);
  CHECK(*removed == 1);
  CHECK(count() == 1);

  auto digest = (*live)->commit();
  INFO(digest.status().to_string());
  REQUIRE(digest);
  dbuild::test::check_blob_file(store.blob_path(*digest));
  CHECK(count() == 0);
}
