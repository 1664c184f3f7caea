// gc_test.cpp: references, leases, usage and garbage collection: what GC keeps (referenced,
// leased), what it removes (the rest, dead leases' blobs, stray files and records), and that it
// keeps protected blobs while writers and GC run at once.
#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

#include "child_process.hpp"
#include "db/transaction.hpp"
#include "store_fixture.hpp"

namespace {

using dbuild::content::GcOptions;
using dbuild::content::LeaseOptions;
using dbuild::content::Owner;
using dbuild::sdk::Code;
using dbuild::test::check_blob_file;
using dbuild::test::require_ok;
using dbuild::test::StoreFixture;

dbuild::content::GcResult collect(dbuild::content::LocalContentStore& store, const GcOptions& options = {}) {
  auto result = store.garbage_collect(options);
  INFO(result.status().to_string());
  REQUIRE(result);
  return *result;
}

const Owner kImage{"image", "docker.io/library/app:1"};

}  // namespace

TEST_CASE("references are added, listed and removed", "[content][gc]") {
  StoreFixture fixture;
  auto a = fixture.write("a");
  auto b = fixture.write("b");
  require_ok(fixture.store.add_reference(kImage, a));
  require_ok(fixture.store.add_reference(kImage, a));  // twice is harmless
  require_ok(fixture.store.add_reference(kImage, b));
  auto listed = fixture.store.references(kImage);
  REQUIRE(listed);
  CHECK(listed->size() == 2);
  require_ok(fixture.store.remove_reference(kImage, a));
  require_ok(fixture.store.remove_reference(kImage, a));  // already gone: not an error
  auto removed = fixture.store.remove_references(kImage);
  REQUIRE(removed);
  CHECK(*removed == 1);

  auto unknown = dbuild::test::digest_of("sha256:" + std::string(64, '0'));
  CHECK(fixture.store.add_reference(kImage, unknown).code() == Code::NotFound);
  CHECK(fixture.store.add_reference(Owner{"image", ""}, a).code() == Code::InvalidArgument);
}

TEST_CASE("references can be changed inside a caller's transaction, and roll back with it", "[content][gc]") {
  StoreFixture fixture;
  auto a = fixture.write("a");
  auto b = fixture.write("b");
  require_ok(fixture.store.add_reference(kImage, a));
  auto status = dbuild::db::run_in_transaction(fixture.database, "replacing an image", [&]() -> dbuild::sdk::Status {
    auto removed = fixture.store.remove_references(kImage);
    if (!removed) return removed.status();
    if (auto added = fixture.store.add_reference(kImage, b); !added) return added;
    return dbuild::sdk::Status::unavailable("the image record could not be written");
  });
  CHECK(status.code() == Code::Unavailable);
  auto references = fixture.store.references(kImage);
  REQUIRE(references);
  CHECK(*references == std::vector{a});
}

TEST_CASE("usage counts blobs and bytes, referenced and unreferenced", "[content][gc]") {
  StoreFixture fixture;
  auto referenced = fixture.write("0123456789");  // 10 bytes
  fixture.write("abc");                           // 3 bytes
  fixture.write("de");                            // 2 bytes
  require_ok(fixture.store.add_reference(kImage, referenced));
  require_ok(fixture.store.add_reference(Owner{"snapshot", "42"}, referenced));  // counted once
  auto usage = fixture.usage();
  CHECK(usage.blobs == 3);
  CHECK(usage.bytes == 15);
  CHECK(usage.referenced_blobs == 1);
  CHECK(usage.referenced_bytes == 10);
  CHECK(usage.unreferenced_blobs == 2);
  CHECK(usage.unreferenced_bytes == 5);
}

TEST_CASE("GC keeps referenced and leased blobs and removes the rest", "[content][gc]") {
  StoreFixture fixture;
  auto referenced = fixture.write("referenced");
  auto garbage = fixture.write("garbage");
  auto lease = fixture.store.create_lease();
  REQUIRE(lease);
  auto leased = fixture.store.write_with_lease(*lease, "leased");
  REQUIRE(leased);
  auto reused = fixture.write("stored before, then used by the build");
  require_ok(fixture.store.add_to_lease(*lease, reused));
  require_ok(fixture.store.add_reference(kImage, referenced));

  auto result = collect(fixture.store);
  CHECK(result.removed == std::vector{garbage});
  CHECK(result.bytes_removed == 7);
  CHECK_FALSE(fixture.store.exists(garbage));
  for (const auto& kept : {referenced, *leased, reused}) {
    CHECK(fixture.store.exists(kept));
    check_blob_file(fixture.store.blob_path(kept));
  }
  CHECK(fixture.usage().blobs == 3);

  SECTION("a released lease stops protecting") {
    require_ok(lease->release());
    result = collect(fixture.store);
    CHECK(result.removed.size() == 2);
    CHECK_FALSE(fixture.store.exists(*leased));
    CHECK_FALSE(fixture.store.exists(reused));
    CHECK(fixture.store.exists(referenced));
    CHECK(fixture.store.write_with_lease(*lease, "too late").status().code() == Code::FailedPrecondition);
  }
  SECTION("a removed reference stops protecting") {
    require_ok(fixture.store.remove_reference(kImage, referenced));
    result = collect(fixture.store);
    CHECK(result.removed == std::vector{referenced});
  }
}

TEST_CASE("GC removes more garbage than fits in one batch", "[content][gc]") {
  StoreFixture fixture;
  auto kept = fixture.write("kept");
  require_ok(fixture.store.add_reference(kImage, kept));
  for (int i = 0; i < 300; ++i) fixture.write("garbage " + std::to_string(i));
  auto result = collect(fixture.store);
  CHECK(result.removed.size() == 300);
  CHECK(fixture.usage().blobs == 1);
  CHECK(std::distance(std::filesystem::directory_iterator(fixture.dir.path() / "content" / "blobs" / "sha256"),
                      std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("a lease past its expiry stops protecting, and its blobs can no longer join it", "[content][gc]") {
  StoreFixture fixture;
  auto lease = fixture.store.create_lease(LeaseOptions{.expires_after = std::chrono::minutes(5)});
  REQUIRE(lease);
  auto leased = fixture.store.write_with_lease(*lease, "leased");
  REQUIRE(leased);
  CHECK(collect(fixture.store).removed.empty());
  fixture.clock.advance(std::chrono::minutes(6));
  auto result = collect(fixture.store);
  CHECK(result.leases_expired == 1);
  CHECK(result.removed == std::vector{*leased});
  auto late = fixture.store.write_with_lease(*lease, "late");
  CHECK(late.status().code() == Code::FailedPrecondition);
  CHECK(fixture.usage().blobs == 0);  // neither the expired one nor the late one
  CHECK(fixture.ingest_files() == 0);
}

TEST_CASE("GC with unused_since keeps blobs used since then", "[content][gc]") {
  StoreFixture fixture;
  auto old_blob = fixture.write("old");
  auto touched = fixture.write("touched");
  fixture.clock.advance(std::chrono::hours(48));
  require_ok(fixture.store.touch(touched));
  auto recent = fixture.write("recent");
  auto result = collect(fixture.store, GcOptions{.unused_since = fixture.clock.now() - std::chrono::hours(24)});
  CHECK(result.removed == std::vector{old_blob});
  CHECK(fixture.store.exists(touched));
  CHECK(fixture.store.exists(recent));
  CHECK(fixture.store.touch(old_blob).code() == Code::NotFound);
}

TEST_CASE("a blob file without a record is removed, a record without a file is dropped", "[content][gc]") {
  StoreFixture fixture;
  auto kept = fixture.write("kept");
  require_ok(fixture.store.add_reference(kImage, kept));
  auto lost = fixture.write("lost");
  require_ok(fixture.store.add_reference(kImage, lost));
  std::filesystem::remove(fixture.store.blob_path(lost));  // a file deleted behind dbuild's back
  const auto stray = fixture.dir.path() / "content" / "blobs" / "sha256" / std::string(64, 'a');
  std::ofstream(stray) << "left by a writer killed between rename and commit";

  auto result = collect(fixture.store);
  CHECK(result.orphan_files_removed == 1);
  CHECK_FALSE(std::filesystem::exists(stray));
  CHECK(result.missing == std::vector{lost});
  CHECK(fixture.usage().blobs == 1);
  auto references = fixture.store.references(kImage);
  REQUIRE(references);
  CHECK(*references == std::vector{kept});
  // Writing the lost content again restores it.
  CHECK(fixture.write("lost") == lost);
  check_blob_file(fixture.store.blob_path(lost));
}

TEST_CASE("a lease of a dead process stops protecting", "[content][gc]") {
  dbuild::test::TempDir dir;
  dbuild::test::ManualClock clock;
  { dbuild::test::OpenStore create(dir.path(), clock); }  // migrated, then closed before fork
  dbuild::test::Pipe report;
  dbuild::test::Pipe release;
  const pid_t child = dbuild::test::fork_child([&] {
    report.close_read();
    release.close_write();
    auto database = dbuild::db::Database::open(dir / "dbuild.db", dbuild::db::Mode::ReadWrite);
    if (!database) return 1;
    auto store = dbuild::content::LocalContentStore::open(dir.path(), **database, clock);
    if (!store) return 2;
    auto lease = (*store)->create_lease();
    if (!lease) return 3;
    auto digest = (*store)->write_with_lease(*lease, "written by a build that will die");
    if (!digest) return 4;
    report.send(digest->str());
    release.receive(1);  // until the parent closes its end
    ::raise(SIGKILL);    // dies holding the lease, as a crashed build would
    return 5;
  });
  REQUIRE(child > 0);
  report.close_write();
  release.close_read();
  auto text = report.receive(71);
  REQUIRE(text.size() == 71);
  auto digest = dbuild::test::digest_of(text);

  dbuild::test::OpenStore open(dir.path(), clock);
  auto result = collect(*open.store);
  CHECK(result.removed.empty());
  CHECK(open.store->exists(digest));

  release.close_write();
  REQUIRE(dbuild::test::wait_child(child) == 128 + SIGKILL);
  result = collect(*open.store);
  CHECK(result.leases_expired == 1);
  CHECK(result.removed == std::vector{digest});
  CHECK_FALSE(open.store->exists(digest));
  CHECK(std::filesystem::is_empty(dir.path() / "content" / "leases"));
}

TEST_CASE("GC running in another process never removes a blob a writer leased or referenced", "[content][gc]") {
  dbuild::test::TempDir dir;
  dbuild::test::ManualClock clock;
  { dbuild::test::OpenStore create(dir.path(), clock); }
  dbuild::test::Pipe stop;
  const pid_t collector = dbuild::test::fork_child([&] {
    stop.close_write();
    auto database = dbuild::db::Database::open(dir / "dbuild.db", dbuild::db::Mode::ReadWrite);
    if (!database) return 1;
    auto store = dbuild::content::LocalContentStore::open(dir.path(), **database, clock);
    if (!store) return 2;
    int runs = 0;
    do {
      if (!(*store)->garbage_collect()) return 3;
      ++runs;
    } while (!stop.closed(1));
    return runs > 1 ? 0 : 4;
  });
  REQUIRE(collector > 0);
  stop.close_read();

  dbuild::test::OpenStore open(dir.path(), clock);
  auto& store = *open.store;
  std::vector<dbuild::sdk::Digest> referenced;
  for (int build = 0; build < 10; ++build) {
    auto lease = store.create_lease();
    REQUIRE(lease);
    for (int i = 0; i < 10; ++i) {
      auto digest = store.write_with_lease(*lease, "build " + std::to_string(build) + " blob " + std::to_string(i));
      INFO(digest.status().to_string());
      REQUIRE(digest);
      REQUIRE(store.exists(*digest));  // leased from the moment it is visible
      if (i % 2 == 0) continue;
      require_ok(store.add_reference(Owner{"image", "build" + std::to_string(build)}, *digest));
      referenced.push_back(*digest);
    }
    require_ok(lease->release());
  }
  stop.close_write();
  CHECK(dbuild::test::wait_child(collector) == 0);
  for (const auto& digest : referenced) check_blob_file(store.blob_path(digest));
  collect(store);
  auto usage = store.usage();
  REQUIRE(usage);
  CHECK(usage->blobs == static_cast<std::int64_t>(referenced.size()));
  CHECK(std::filesystem::is_empty(dir.path() / "content" / "ingest"));
}

TEST_CASE("GC on another thread never removes a blob a writer leased or referenced", "[content][gc]") {
  StoreFixture fixture;
  std::atomic<bool> done = false;
  dbuild::sdk::Status gc_status;
  std::thread collector([&] {
    while (!done && gc_status) {
      gc_status = fixture.store.garbage_collect().status();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // let writers have the lock too
    }
  });
  std::vector<std::thread> writers;
  std::vector<dbuild::sdk::Status> statuses(3);
  for (std::size_t w = 0; w < statuses.size(); ++w) {
    writers.emplace_back([&, w] {
      auto lease = fixture.store.create_lease();
      if (!lease) return void(statuses[w] = lease.status());
      for (int i = 0; i < 20; ++i) {
        auto digest =
            fixture.store.write_with_lease(*lease, "writer " + std::to_string(w) + " blob " + std::to_string(i));
        if (!digest) return void(statuses[w] = digest.status());
        if (!fixture.store.exists(*digest))
          return void(statuses[w] = dbuild::sdk::Status::internal("leased blob vanished"));
        auto added = fixture.store.add_reference(Owner{"image", std::to_string(w)}, *digest);
        if (!added) return void(statuses[w] = added);
      }
      statuses[w] = lease->release();
    });
  }
  for (auto& writer : writers) writer.join();
  done = true;
  collector.join();
  INFO(gc_status.to_string());
  CHECK(gc_status);
  for (const auto& status : statuses) {
    INFO(status.to_string());
    CHECK(status);
  }
  collect(fixture.store);
  CHECK(fixture.usage().referenced_blobs == 60);
  CHECK(fixture.usage().unreferenced_blobs == 0);
}

TEST_CASE("a LeasedContentStore protects what a build writes and streams", "[content][gc]") {
  StoreFixture fixture;
  auto cached = fixture.write("a cached layer the build reuses");
  auto lease = fixture.store.create_lease();
  REQUIRE(lease);
  dbuild::content::LeasedContentStore build_store(fixture.store, *lease);
  dbuild::sdk::ContentStore& store = build_store;
  auto written = store.write("a new layer");
  REQUIRE(written);
  auto writer = store.writer();
  REQUIRE(writer);
  REQUIRE((*writer)->write("streamed", 8));
  auto streamed = (*writer)->commit();
  REQUIRE(streamed);
  auto path = store.path(cached);
  REQUIRE(path);
  auto stray = fixture.write("not the build's");

  auto result = collect(fixture.store);
  CHECK(result.removed == std::vector{stray});
  CHECK(std::filesystem::exists(*path));
  CHECK(store.exists(*written));
  CHECK(store.exists(*streamed));
}
