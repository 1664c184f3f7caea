// blob_locations_test.cpp: blob locations kept in SQLite (bounds, least recently used forgotten
// first, kept across reopening, problems only reported), and a client that mounts from what an
// earlier client saw, or uploads when that location has gone stale.
#include <catch2/catch.hpp>

#include <fstream>

#include "client_harness.hpp"
#include "registry/sqlite_blob_locations.hpp"
#include "support/temp_dir.hpp"

using namespace dbuild;
using registry::BlobLocation;
using registry::SqliteBlobLocations;
using test::descriptor_of;
using test::FakeRegistry;
using test::FakeTransport;
using test::Harness;
using test::MemoryContentStore;
using test::reference;

namespace {

sdk::Digest digest_of(const std::string& data) { return oci::sha256_of(data); }

// Another "process": a new client over the same registry, with the given store.
std::unique_ptr<registry::RegistryClient> new_client(FakeRegistry& fake, registry::BlobLocationStore* store) {
  auto transport = std::make_unique<FakeTransport>([&fake](const registry::HttpRequest& request) { return fake.handle(request); });
  registry::ClientOptions options;
  options.sleep = [](std::chrono::milliseconds) {};
  auto client = std::make_unique<registry::RegistryClient>(std::move(options), std::move(transport));
  client->use_location_store(store);
  return client;
}

std::vector<std::string> lines_containing(const std::vector<std::string>& log, const std::string& text) {
  std::vector<std::string> found;
  for (const auto& line : log)
    if (line.find(text) != std::string::npos) found.push_back(line);
  return found;
}

}  // namespace

TEST_CASE("blob locations recorded in SQLite are found again after reopening, most recent first",
          "[registry][locations]") {
  test::TempDir dir;
  std::int64_t now = 100;
  auto clock = [&] { return now; };
  const auto path = dir.path() / "dbuild.db";
  {
    SqliteBlobLocations store(path, {}, {}, clock);
    std::vector<BlobLocation> first{{"reg.test", "library/base", digest_of("a")}};
    store.record(first);
    now = 200;
    std::vector<BlobLocation> second{{"reg.test", "team/app", digest_of("a")},
                                     {"other.test", "library/base", digest_of("a")}};
    store.record(second);
  }
  SqliteBlobLocations reopened(path, {}, {}, clock);
  CHECK(reopened.find("reg.test", digest_of("a")) == std::vector<std::string>{"team/app", "library/base"});
  CHECK(reopened.find("other.test", digest_of("a")) == std::vector<std::string>{"library/base"});
  CHECK(reopened.find("reg.test", digest_of("b")).empty());

  SECTION("and seeing a location again makes it the most recent") {
    now = 300;
    std::vector<BlobLocation> again{{"reg.test", "library/base", digest_of("a")}};
    reopened.record(again);
    CHECK(reopened.find("reg.test", digest_of("a")) == std::vector<std::string>{"library/base", "team/app"});
  }
}

TEST_CASE("blob locations in SQLite stay within their bounds, forgetting the least recently used",
          "[registry][locations]") {
  test::TempDir dir;
  std::int64_t now = 1;
  SqliteBlobLocations store(dir.path() / "dbuild.db", {}, {.max_rows = 5, .max_per_digest = 2}, [&] { return now; });

  SECTION("per digest and registry") {
    for (const char* repository : {"r1", "r2", "r3"}) {
      std::vector<BlobLocation> one{{"reg.test", repository, digest_of("a")}};
      store.record(one);
      ++now;
    }
    CHECK(store.find("reg.test", digest_of("a")) == std::vector<std::string>{"r3", "r2"});
  }
  SECTION("in all") {
    for (int i = 0; i < 8; ++i) {
      std::vector<BlobLocation> one{{"reg.test", "r", digest_of(std::to_string(i))}};
      store.record(one);
      ++now;
    }
    for (int i = 0; i < 3; ++i) CHECK(store.find("reg.test", digest_of(std::to_string(i))).empty());
    for (int i = 3; i < 8; ++i)
      CHECK(store.find("reg.test", digest_of(std::to_string(i))) == std::vector<std::string>{"r"});
  }
}

TEST_CASE("a blob location store whose database cannot be opened only says so in debug messages",
          "[registry][locations]") {
  test::TempDir dir;
  {
    std::ofstream junk(dir.path() / "dbuild.db");
    junk << "this is not a database, and it is long enough for SQLite to notice that it is not one.";
  }
  std::vector<std::string> messages;
  SqliteBlobLocations store(dir.path() / "dbuild.db", [&](const std::string& message) { messages.push_back(message); });
  std::vector<BlobLocation> one{{"reg.test", "library/base", digest_of("a")}};
  store.record(one);
  CHECK(store.find("reg.test", digest_of("a")).empty());
  REQUIRE(messages.size() == 1);
  CHECK_THAT(messages[0], Catch::Contains("dbuild.db"));
}

TEST_CASE("a client mounts a blob that an earlier client, with the same store, pulled from another repository",
          "[registry][client][locations]") {
  test::TempDir dir;
  SqliteBlobLocations store(dir.path() / "dbuild.db");
  Harness harness;
  harness.fake.add_blob("library/base", "base layer");
  MemoryContentStore content;
  auto blob = descriptor_of(sdk::media_type::kOciLayer, "base layer");
  {
    auto first = new_client(harness.fake, &store);
    REQUIRE(first->pull_blob(reference("reg.test/library/base"), blob, content));
  }  // saved when the client goes
  harness.fake.log.clear();
  auto second = new_client(harness.fake, &store);
  REQUIRE(second->push_blob(reference("reg.test/team/app"), blob, content));
  CHECK(lines_containing(harness.fake.log, "?mount=") ==
        std::vector<std::string>{"POST /v2/team/app/blobs/uploads/?mount=" + blob.digest.str() + "&from=library/base"});
  CHECK(lines_containing(harness.fake.log, "PUT ").empty());
  CHECK(harness.fake.blobs["team/app"].count(blob.digest.str()));
}

TEST_CASE("a push whose remembered location is stale uploads the blob after the refused mount",
          "[registry][client][locations]") {
  test::TempDir dir;
  SqliteBlobLocations store(dir.path() / "dbuild.db");
  std::vector<BlobLocation> stale{{"reg.test", "library/gone", digest_of("base layer")}};
  store.record(stale);
  Harness harness;
  MemoryContentStore content;
  REQUIRE(content.write("base layer"));
  auto blob = descriptor_of(sdk::media_type::kOciLayer, "base layer");
  auto client = new_client(harness.fake, &store);
  REQUIRE(client->push_blob(reference("reg.test/team/app"), blob, content));
  CHECK(lines_containing(harness.fake.log, "?mount=").size() == 1);
  CHECK(lines_containing(harness.fake.log, "PUT /v2/team/app/blobs/uploads/").size() == 1);
  CHECK(harness.fake.blobs["team/app"][blob.digest.str()] == "base layer");
}
