// memory_content_store.hpp: an sdk::ContentStore in memory for the registry client's unit tests,
// with the real store's rules: nothing visible before commit, a mismatching digest stores nothing.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include <dbuild/sdk/content_store.hpp>

#include "oci/sha256.hpp"
#include "support/temp_dir.hpp"

namespace dbuild::test {

class MemoryContentStore final : public sdk::ContentStore {
 public:
  sdk::Result<sdk::Digest> write(std::string_view data, std::optional<sdk::Digest> expected = std::nullopt) override {
    auto digest = oci::sha256_of(data);
    if (expected && *expected != digest) return sdk::Status::invalid_argument("digest mismatch: got " + digest.str());
    std::lock_guard lock(mutex_);
    blobs_[digest] = std::string(data);
    return digest;
  }

  sdk::Result<std::unique_ptr<sdk::BlobWriter>> writer() override {
    return std::unique_ptr<sdk::BlobWriter>(std::make_unique<Writer>(*this));
  }

  bool exists(const sdk::Digest& digest) override {
    std::lock_guard lock(mutex_);
    return blobs_.count(digest) > 0;
  }
  sdk::Result<std::int64_t> size(const sdk::Digest& digest) override {
    auto data = read(digest);
    if (!data) return data.status();
    return static_cast<std::int64_t>(data->size());
  }
  sdk::Result<std::string> read(const sdk::Digest& digest) override {
    std::lock_guard lock(mutex_);
    auto found = blobs_.find(digest);
    if (found == blobs_.end()) return sdk::Status::not_found(digest.str());
    return found->second;
  }
  // Uploads stream from files: the blob is written out once on first use.
  sdk::Result<std::filesystem::path> path(const sdk::Digest& digest) override {
    auto data = read(digest);
    if (!data) return data.status();
    auto file = dir_.path() / digest.encoded();
    std::lock_guard lock(mutex_);
    if (!std::filesystem::exists(file)) std::ofstream(file, std::ios::binary) << *data;
    return file;
  }

  [[nodiscard]] std::size_t count() {
    std::lock_guard lock(mutex_);
    return blobs_.size();
  }

 private:
  class Writer final : public sdk::BlobWriter {
   public:
    explicit Writer(MemoryContentStore& store) : store_(store) {}
    sdk::Status write(const void* data, std::size_t size) override {
      data_.append(static_cast<const char*>(data), size);
      return sdk::Status::ok();
    }
    std::int64_t written() const override { return static_cast<std::int64_t>(data_.size()); }
    sdk::Result<sdk::Digest> commit(std::optional<sdk::Digest> expected,
                                    std::optional<std::int64_t> expected_size) override {
      if (expected_size && *expected_size != written())
        return sdk::Status::invalid_argument("size mismatch: got " + std::to_string(written()));
      return store_.write(data_, expected);
    }

   private:
    MemoryContentStore& store_;
    std::string data_;
  };

  std::mutex mutex_;
  std::map<sdk::Digest, std::string> blobs_;
  TempDir dir_;
};

}  // namespace dbuild::test
