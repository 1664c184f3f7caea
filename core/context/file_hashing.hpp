// file_hashing.hpp: reads and hashes many regular files on a few threads, for the file checksum
// cache; each digest is the one a plain sequential read gives, whatever the thread count.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::context {

struct FileToHash {
  std::filesystem::path path;
  std::int64_t size = 0;  // from lstat; only orders the work (largest first), never trusted
};

/// The digests ("sha256:<hex>") of `files`, in their order, read on up to `threads` threads (the
/// caller's among them; 0 counts as 1). Errors: unavailable (a file cannot be opened or read;
/// the first such error stops the others).
[[nodiscard]] sdk::Result<std::vector<std::string>> hash_files(const std::vector<FileToHash>& files, unsigned threads);

}  // namespace dbuild::context
