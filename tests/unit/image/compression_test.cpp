// compression_test.cpp: compress_layer's gzip and zstd output: the same bytes for any number of
// threads, read back whole by gzip, zstd and tar, incompressible chunks stored, empty layers.
#include <fstream>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "image/compression.hpp"
#include "oci/sha256.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
namespace sdk = dbuild::sdk;
using dbuild::image::Compression;
using dbuild::image::compress_layer;
using dbuild::test::run_process;
using dbuild::test::TempDir;

namespace {

// A BlobWriter into memory: commit() is the sha256 of what was written.
class MemoryBlobWriter final : public sdk::BlobWriter {
 public:
  sdk::Status write(const void* data, std::size_t size) override {
    bytes.append(static_cast<const char*>(data), size);
    return sdk::Status::ok();
  }
  std::int64_t written() const override { return static_cast<std::int64_t>(bytes.size()); }
  sdk::Result<sdk::Digest> commit(std::optional<sdk::Digest>, std::optional<std::int64_t>) override {
    return dbuild::oci::sha256_of(bytes);
  }
  std::string bytes;
};

void write_file(const fs::path& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// A layer tarball (made by tar itself) of text and of random bytes: some chunks compress, some
// do not, and the last one is short.
fs::path make_layer(const fs::path& dir) {
  std::mt19937 random(42);
  std::string text, noise;
  const char* words[] = {"layer ", "compress ", "gzip ", "chunk ", "member ", "digest\n"};
  while (text.size() < (3u << 20) + 12345) text += words[random() % 6];
  while (noise.size() < (2u << 20) + 777) noise.push_back(static_cast<char>(random() & 0xff));
  fs::create_directories(dir / "tree");
  write_file(dir / "tree" / "text.txt", text);
  write_file(dir / "tree" / "noise.bin", noise);
  auto tarred = run_process({"tar", "-C", (dir / "tree").string(), "-cf", (dir / "layer.tar").string(), "."});
  REQUIRE(tarred.exit_code == 0);
  return dir / "layer.tar";
}

struct Compressed {
  sdk::Descriptor descriptor;
  std::string bytes;
};

Compressed compress(const fs::path& layer, Compression compression, unsigned threads) {
  MemoryBlobWriter writer;
  auto descriptor = compress_layer(layer, writer, {compression, std::nullopt, threads});
  REQUIRE(descriptor);
  return {*descriptor, writer.bytes};
}

// Compresses `layer` with 1 and with 4 threads, checks both are the same blob of `media_type`,
// and that `decompressor -dc` gives the layer back; returns the blob, written as `name`.
Compressed same_with_any_threads(const fs::path& layer, Compression compression, const std::string& media_type,
                                 const fs::path& name, const std::string& decompressor) {
  auto one = compress(layer, compression, 1);
  auto four = compress(layer, compression, 4);
  CHECK(one.descriptor.digest == four.descriptor.digest);
  CHECK(one.bytes == four.bytes);
  CHECK(four.descriptor.media_type == media_type);
  CHECK(four.descriptor.size == static_cast<std::int64_t>(four.bytes.size()));
  write_file(name, four.bytes);
  auto unpacked = run_process({"sh", "-c", decompressor + " -dc " + name.string() + " | cmp - " + layer.string()});
  CHECK(unpacked.exit_code == 0);
  return four;
}

}  // namespace

TEST_CASE("a gzip layer has the same digest with 1 and with 4 threads, and gzip and tar read it whole",
          "[image][compression]") {
  TempDir dir;
  auto layer = make_layer(dir.path());
  auto four = same_with_any_threads(layer, Compression::Gzip, "application/vnd.oci.image.layer.v1.tar+gzip",
                                    dir.path() / "layer.tar.gz", "gzip");
  CHECK(run_process({"gzip", "-t", (dir.path() / "layer.tar.gz").string()}).exit_code == 0);
  auto listed = run_process({"tar", "-tzf", (dir.path() / "layer.tar.gz").string()});
  CHECK(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains("./text.txt") && Catch::Contains("./noise.bin"));

  SECTION("random chunks are stored, not compressed, and text still shrinks") {
    // A member of stored blocks: our gzip header, then a non-final stored block of 65535 bytes.
    const std::string stored_start("\x1f\x8b\x08\0\0\0\0\0\0\xff\0\xff\xff\0\0", 15);
    CHECK(four.bytes.find(stored_start) != std::string::npos);
    CHECK(four.descriptor.size < static_cast<std::int64_t>(fs::file_size(layer) - (2u << 20)));
  }
}

TEST_CASE("a zstd layer has the same digest with 1 and with 4 threads, and zstd reads it whole",
          "[image][compression]") {
  TempDir dir;
  auto layer = make_layer(dir.path());
  (void)same_with_any_threads(layer, Compression::Zstd, "application/vnd.oci.image.layer.v1.tar+zstd",
                              dir.path() / "layer.tar.zst", "zstd");
}

TEST_CASE("an empty layer file compresses to one empty gzip member", "[image][compression]") {
  TempDir dir;
  write_file(dir.path() / "empty.tar", "");
  auto compressed = compress(dir.path() / "empty.tar", Compression::Gzip, 2);
  write_file(dir.path() / "empty.gz", compressed.bytes);
  CHECK(run_process({"gzip", "-t", (dir.path() / "empty.gz").string()}).exit_code == 0);
  CHECK(run_process({"sh", "-c", "test -z \"$(gzip -dc " + (dir.path() / "empty.gz").string() + ")\""}).exit_code == 0);
}

TEST_CASE("a gzip level out of range is an invalid argument", "[image][compression]") {
  TempDir dir;
  write_file(dir.path() / "small.tar", "data");
  MemoryBlobWriter writer;
  auto result = compress_layer(dir.path() / "small.tar", writer, {Compression::Gzip, 13, 2});
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == sdk::Code::InvalidArgument);
}
