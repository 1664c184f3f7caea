// compression.hpp: layer compression, on the export path that users wait for. gzip is
// libdeflate over 1 MiB chunks compressed in parallel and written as consecutive gzip members
// (a valid gzip stream that gzip, Go and containerd read; chunks that do not compress are
// stored), zstd is libzstd with its own worker threads. Output depends only on the input, the
// algorithm and the level: never on the number of threads.
#pragma once

#include <filesystem>
#include <optional>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/status.hpp>

#include "image/layer_blobs.hpp"

namespace dbuild::image {

/// libdeflate's level 5 makes layers as small as `gzip -6` does (the default level of zlib and of
/// Go's compress/gzip, which BuildKit uses) on binaries and text (a tar of /usr/bin and
/// /usr/share/doc: 292.0 MB vs 292.4 MB), about a sixth faster than libdeflate's level 6.
inline constexpr int kDefaultGzipLevel = 5;

struct CompressionOptions {
  Compression compression = Compression::Gzip;
  std::optional<int> level;  // gzip 1-12 (libdeflate), zstd 1-19; default: gzip kDefaultGzipLevel, zstd 3
  unsigned threads = 0;      // 0: one per CPU
};

/// Parses "gzip", "zstd", "uncompressed". Errors: invalid_argument.
[[nodiscard]] sdk::Result<Compression> parse_compression(std::string_view text);

/// Compresses the uncompressed layer file `source` into `out` (a BlobWriter of the content
/// store) and commits it. Returns the compressed blob's descriptor with the OCI media type.
/// Errors: unavailable (I/O), invalid_argument (a level out of range).
[[nodiscard]] sdk::Result<sdk::Descriptor> compress_layer(const std::filesystem::path& source, sdk::BlobWriter& out,
                                                          const CompressionOptions& options);

}  // namespace dbuild::image
