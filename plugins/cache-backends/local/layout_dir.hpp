// layout_dir.hpp: an OCI image layout directory written so that a crash at any moment leaves
// the previous state readable: every blob and index.json goes to a temporary file first, is
// fsynced and renamed into place, and blobs are dropped only after the new index.json is in
// place and no longer names them. Writers hold an exclusive flock on the directory itself.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::cache_backends {

/// The annotation naming an index.json entry (the cache's tag=).
inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

class LayoutDir {
 public:
  /// Creates `dir` (and blobs/sha256, oci-layout) when missing and locks it for writing until
  /// the object is destroyed. Errors: permission_denied, unavailable.
  [[nodiscard]] static sdk::Result<LayoutDir> open_for_writing(const std::filesystem::path& dir);
  LayoutDir(LayoutDir&& other) noexcept;
  LayoutDir& operator=(LayoutDir&&) = delete;
  ~LayoutDir();

  /// Copies a blob of `content` into blobs/ unless a file of its size is there already.
  [[nodiscard]] sdk::Status put_blob(const sdk::Descriptor& blob, sdk::ContentStore& content);
  /// Writes small bytes (a manifest) as the blob `blob`.
  [[nodiscard]] sdk::Status put_bytes(const sdk::Descriptor& blob, const std::string& bytes);
  /// Points index.json's entry for `tag` at `root` (other tags' entries stay), atomically.
  [[nodiscard]] sdk::Status tag(const sdk::Descriptor& root, const std::string& tag);
  /// Removes the blobs index.json no longer reaches, and temporary files of dead writers.
  [[nodiscard]] sdk::Status collect_garbage();

 private:
  LayoutDir(std::filesystem::path dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}
  [[nodiscard]] sdk::Status write_atomically(const std::filesystem::path& target, const std::string& bytes);

  std::filesystem::path dir_;
  int lock_fd_ = -1;
};

/// The path of `digest`'s blob under the layout `dir`.
[[nodiscard]] std::filesystem::path blob_path(const std::filesystem::path& dir, const sdk::Digest& digest);

/// The descriptors index.json lists. Errors: not_found (no index.json), invalid_argument.
[[nodiscard]] sdk::Result<std::vector<sdk::Descriptor>> read_index(const std::filesystem::path& dir);

}  // namespace dbuild::cache_backends
