// local_content_store_test.cpp: writing, verifying, reading and finding blobs; what failed or
// abandoned writes leave behind (nothing); writers racing on the same content.
#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "store_fixture.hpp"

namespace {

using dbuild::sdk::Code;
using dbuild::test::check_blob_file;
using dbuild::test::digest_of;
using dbuild::test::StoreFixture;

constexpr std::string_view kHelloDigest = "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
constexpr std::string_view kEmptyDigest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace

TEST_CASE("a blob written in chunks reads back under its digest as a read-only file sha256sum agrees with",
          "[content]") {
  StoreFixture fixture;
  auto writer = fixture.store.writer();
  REQUIRE(writer);
  REQUIRE((*writer)->write("hello", 5));
  REQUIRE((*writer)->write(" world", 6));
  CHECK((*writer)->written() == 11);
  CHECK_FALSE(fixture.store.exists(digest_of(kHelloDigest)));  // nothing visible before commit
  auto digest = (*writer)->commit(digest_of(kHelloDigest), 11);
  INFO(digest.status().to_string());
  REQUIRE(digest);
  CHECK(digest->str() == kHelloDigest);

  CHECK(fixture.store.exists(*digest));
  auto size = fixture.store.size(*digest);
  REQUIRE(size);
  CHECK(*size == 11);
  auto content = fixture.store.read(*digest);
  REQUIRE(content);
  CHECK(*content == "hello world");
  auto path = fixture.store.path(*digest);
  REQUIRE(path);
  CHECK(*path == fixture.dir.path() / "content" / "blobs" / "sha256" / digest->encoded());
  check_blob_file(*path);
  CHECK(fixture.ingest_files() == 0);
}

TEST_CASE("the empty blob is stored under sha256 of nothing", "[content]") {
  StoreFixture fixture;
  auto digest = fixture.write("");
  CHECK(digest.str() == kEmptyDigest);
  auto content = fixture.store.read(digest);
  REQUIRE(content);
  CHECK(content->empty());
  check_blob_file(fixture.store.blob_path(digest));
}

TEST_CASE("a large blob streamed in many pieces matches sha256sum", "[content]") {
  StoreFixture fixture;
  auto writer = fixture.store.writer();
  REQUIRE(writer);
  std::string piece(64 * 1024, '\0');
  for (int i = 0; i < 64; ++i) {
    for (std::size_t j = 0; j < piece.size(); ++j) piece[j] = static_cast<char>((i * 31 + j * 7) & 0xff);
    REQUIRE((*writer)->write(piece.data(), piece.size()));
  }
  auto digest = (*writer)->commit();
  REQUIRE(digest);
  check_blob_file(fixture.store.blob_path(*digest));
  auto size = fixture.store.size(*digest);
  REQUIRE(size);
  CHECK(*size == 64 * 64 * 1024);
}

TEST_CASE("a digest or size mismatch stores nothing", "[content]") {
  StoreFixture fixture;
  const auto wrong = digest_of("sha256:0000000000000000000000000000000000000000000000000000000000000000");
  SECTION("digest, through write()") {
    auto digest = fixture.store.write("hello world", wrong);
    REQUIRE_FALSE(digest);
    CHECK(digest.status().code() == Code::InvalidArgument);
    CHECK_THAT(digest.status().message(), Catch::Contains("digest mismatch") && Catch::Contains(wrong.str()) &&
                                              Catch::Contains(std::string(kHelloDigest)));
  }
  SECTION("size, through a writer") {
    auto writer = fixture.store.writer();
    REQUIRE(writer);
    REQUIRE((*writer)->write("hello world", 11));
    auto digest = (*writer)->commit(std::nullopt, 12);
    REQUIRE_FALSE(digest);
    CHECK(digest.status().code() == Code::InvalidArgument);
    CHECK_THAT(digest.status().message(), Catch::Contains("size mismatch"));
    CHECK((*writer)->commit().status().code() == Code::FailedPrecondition);  // the writer is spent
  }
  SECTION("an algorithm the store does not keep") {
    auto sha512 = digest_of("sha512:" + std::string(128, 'a'));
    auto digest = fixture.store.write("hello world", sha512);
    REQUIRE_FALSE(digest);
    CHECK(digest.status().code() == Code::InvalidArgument);
  }
  CHECK_FALSE(fixture.store.exists(digest_of(kHelloDigest)));
  CHECK(fixture.ingest_files() == 0);
  CHECK(fixture.usage().blobs == 0);
  CHECK(std::filesystem::is_empty(fixture.dir.path() / "content" / "blobs" / "sha256"));
}

TEST_CASE("writing the same content twice gives the same digest and one blob", "[content]") {
  StoreFixture fixture;
  auto first = fixture.write("same bytes");
  auto second = fixture.write("same bytes");
  CHECK(first == second);
  CHECK(fixture.usage().blobs == 1);
  CHECK(fixture.ingest_files() == 0);
  check_blob_file(fixture.store.blob_path(first));
}

TEST_CASE("an abandoned writer leaves no blob and no ingest file", "[content]") {
  StoreFixture fixture;
  {
    auto writer = fixture.store.writer();
    REQUIRE(writer);
    REQUIRE((*writer)->write("hello world", 11));
    CHECK(fixture.ingest_files() == 1);
  }
  CHECK(fixture.ingest_files() == 0);
  CHECK_FALSE(fixture.store.exists(digest_of(kHelloDigest)));
  CHECK(fixture.usage().blobs == 0);
}

TEST_CASE("concurrent writers of the same content all get its digest and leave one file", "[content]") {
  StoreFixture fixture;
  std::string content(256 * 1024, 'x');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 13);
  std::vector<std::thread> threads;
  std::vector<dbuild::sdk::Result<dbuild::sdk::Digest>> results(8, dbuild::sdk::Status::internal("not run"));
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      auto writer = fixture.store.writer();
      if (!writer) {
        results[t] = writer.status();
        return;
      }
      for (std::size_t offset = 0; offset < content.size(); offset += 4096)
        if (auto status = (*writer)->write(content.data() + offset, 4096); !status) {
          results[t] = status;
          return;
        }
      results[t] = (*writer)->commit();
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) {
    INFO(result.status().to_string());
    REQUIRE(result);
    CHECK(*result == *results[0]);
  }
  CHECK(fixture.usage().blobs == 1);
  CHECK(fixture.ingest_files() == 0);
  check_blob_file(fixture.store.blob_path(*results[0]));
}

TEST_CASE("an unknown digest is not found by size, read or path, and does not exist", "[content]") {
  StoreFixture fixture;
  const auto unknown = digest_of(kHelloDigest);
  CHECK_FALSE(fixture.store.exists(unknown));
  CHECK(fixture.store.size(unknown).status().code() == Code::NotFound);
  CHECK(fixture.store.read(unknown).status().code() == Code::NotFound);
  CHECK(fixture.store.path(unknown).status().code() == Code::NotFound);
  CHECK_FALSE(fixture.store.exists(dbuild::sdk::Digest()));
}

TEST_CASE("the store refuses a database that was not migrated", "[content]") {
  dbuild::test::TempDir dir;
  dbuild::test::ManualClock clock;
  auto database = dbuild::db::Database::open(dir / "dbuild.db", dbuild::db::Mode::ReadWrite);
  REQUIRE(database);
  auto store = dbuild::content::LocalContentStore::open(dir.path(), **database, clock);
  REQUIRE_FALSE(store);
  CHECK(store.status().code() == Code::FailedPrecondition);
  CHECK_THAT(store.status().message(), Catch::Contains("no content tables"));
}
