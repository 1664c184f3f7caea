// content_store.hpp: content-addressed blobs (layers, configs, manifests), written once, found
// by digest. The host implements it; exporters and cache backends read and write through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <dbuild/sdk/digest.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

/// Streams one blob into the store. Nothing is visible under a digest until commit() succeeds;
/// destroying an uncommitted writer discards what was written. Not thread-safe (one writer, one
/// thread); many writers may run at once, also for the same content.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;

  /// Appends bytes. Errors: unavailable (disk full, I/O error).
  [[nodiscard]] virtual Status write(const void* data, std::size_t size) = 0;

  /// Bytes written so far.
  [[nodiscard]] virtual std::int64_t written() const = 0;

  /// Hashes what was written (sha256), checks it against `expected` when given, makes it durable
  /// (fsync), and publishes it under its digest. Committing content that is already stored
  /// succeeds and returns the same digest. Errors: invalid_argument (digest or size mismatch:
  /// nothing is stored), unavailable.
  [[nodiscard]] virtual Result<Digest> commit(std::optional<Digest> expected = std::nullopt,
                                              std::optional<std::int64_t> expected_size = std::nullopt) = 0;
};

class ContentStore {
 public:
  virtual ~ContentStore() = default;

  /// Stores a small blob held in memory (a config, a manifest). Same rules as BlobWriter::commit.
  [[nodiscard]] virtual Result<Digest> write(std::string_view data, std::optional<Digest> expected = std::nullopt) = 0;

  /// Starts streaming a blob. Errors: unavailable.
  [[nodiscard]] virtual Result<std::unique_ptr<BlobWriter>> writer() = 0;

  /// True when the blob is stored.
  [[nodiscard]] virtual bool exists(const Digest& digest) = 0;

  /// The blob's size in bytes. Errors: not_found.
  [[nodiscard]] virtual Result<std::int64_t> size(const Digest& digest) = 0;

  /// The whole blob, for small ones (configs, manifests). Errors: not_found, unavailable.
  [[nodiscard]] virtual Result<std::string> read(const Digest& digest) = 0;

  /// The path of the blob's file, for streaming reads (layers). The file is read-only and stays
  /// valid while the caller holds a lease or reference on it (see the host's GC rules). Errors:
  /// not_found.
  [[nodiscard]] virtual Result<std::filesystem::path> path(const Digest& digest) = 0;
};

}  // namespace dbuild::sdk
