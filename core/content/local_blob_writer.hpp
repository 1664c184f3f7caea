// local_blob_writer.hpp: streams one blob into an ingest file, hashing as it goes; commit()
// verifies, fsyncs and hands the file to the store to publish under its digest.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <dbuild/sdk/content_store.hpp>

#include "content/posix_file.hpp"
#include "content/sha256.hpp"

namespace dbuild::content {

class LocalContentStore;

/// Holds an flock on its ingest file until it is committed or destroyed, which is how
/// cleanup_ingest tells a live writer's file from a dead one's.
class LocalBlobWriter final : public sdk::BlobWriter {
 public:
  LocalBlobWriter(LocalContentStore& store, UniqueFd file, std::filesystem::path path,
                  std::optional<std::string> lease_id);
  /// An uncommitted writer removes its ingest file.
  ~LocalBlobWriter() override;

  [[nodiscard]] sdk::Status write(const void* data, std::size_t size) override;
  [[nodiscard]] std::int64_t written() const override { return written_; }
  [[nodiscard]] sdk::Result<sdk::Digest> commit(std::optional<sdk::Digest> expected = std::nullopt,
                                                std::optional<std::int64_t> expected_size = std::nullopt) override;

 private:
  enum class State : std::uint8_t { Writing, Committed, Failed };

  [[nodiscard]] sdk::Result<sdk::Digest> verify(const std::optional<sdk::Digest>& expected,
                                                std::optional<std::int64_t> expected_size);
  /// Removes the ingest file and ends the writer; whatever happens next, nothing is stored.
  void discard();

  LocalContentStore& store_;
  UniqueFd file_;
  std::filesystem::path path_;
  std::optional<std::string> lease_id_;
  Sha256 hash_;
  std::int64_t written_ = 0;
  State state_ = State::Writing;
};

}  // namespace dbuild::content
