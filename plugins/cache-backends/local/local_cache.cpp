// local_cache.cpp: exports into and imports from an OCI layout directory (local_cache.hpp).
#include "local_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../common/cache_attributes.hpp"
#include "layout_dir.hpp"

namespace dbuild::cache_backends {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxManifest = 64 << 20;

std::string tag_of(const sdk::Attributes& attributes) {
  auto found = attributes.find("tag");
  return found == attributes.end() || found->second.empty() ? "latest" : found->second;
}

// Reads a cache from the layout at `dir`: the entry for tag= (or digest=), and blobs by digest.
class LocalReader final : public sdk::CacheReader {
 public:
  LocalReader(fs::path dir, std::string tag, std::string digest)
      : dir_(std::move(dir)), tag_(std::move(tag)), digest_(std::move(digest)) {}

  sdk::Result<sdk::Descriptor> resolve() override {
    auto entries = read_index(dir_);
    if (!entries) return entries.status();
    for (const auto& entry : *entries) {
      auto name = entry.annotations.find(kRefNameAnnotation);
      const bool named = name != entry.annotations.end() && name->second == tag_;
      if (digest_.empty() ? named : entry.digest.str() == digest_) return entry;
    }
    return sdk::Status::not_found("no cache " + (digest_.empty() ? "tagged " + tag_ : digest_) + " in " + dir_.string());
  }

  sdk::Result<std::string> fetch_manifest(const sdk::Descriptor& manifest) override {
    const auto path = blob_path(dir_, manifest.digest);
    std::error_code error;
    const auto size = fs::file_size(path, error);
    if (error) return sdk::Status::not_found("manifest " + manifest.digest.str() + " is missing from " + dir_.string());
    if (size > kMaxManifest)
      return sdk::Status::invalid_argument("manifest " + manifest.digest.str() + " in " + dir_.string() + " is too large");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  sdk::Status fetch_blob(const sdk::Descriptor& blob, sdk::ContentStore& store, const sdk::TransferHooks& hooks) override {
    if (store.exists(blob.digest)) return sdk::Status::ok();
    const auto path = blob_path(dir_, blob.digest);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sdk::Status::not_found("blob " + blob.digest.str() + " is missing from " + dir_.string());
    auto status = copy_into(fd, blob, store, hooks);
    ::close(fd);
    return status;
  }

  sdk::Status check_blobs(const std::vector<sdk::Descriptor>& blobs) override {
    for (const auto& blob : blobs) {
      std::error_code error;
      const auto size = fs::file_size(blob_path(dir_, blob.digest), error);
      if (error) return sdk::Status::not_found("blob " + blob.digest.str() + " is missing from " + dir_.string());
      if (size != static_cast<std::uintmax_t>(blob.size))
        return sdk::Status::invalid_argument("blob " + blob.digest.str() + " in " + dir_.string() + " has " +
                                             std::to_string(size) + " bytes, its descriptor says " +
                                             std::to_string(blob.size));
    }
    return sdk::Status::ok();
  }

 private:
  static sdk::Status copy_into(int fd, const sdk::Descriptor& blob, sdk::ContentStore& store,
                               const sdk::TransferHooks& hooks) {
    auto writer = store.writer();
    if (!writer) return writer.status();
    std::vector<char> buffer(1 << 20);
    std::int64_t done = 0;
    while (true) {
      if (hooks.stop.stop_requested()) return sdk::Status::cancelled("cancelled while importing " + blob.digest.str());
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sdk::Status::unavailable("reading blob " + blob.digest.str() + ": " + std::strerror(errno));
      if (n == 0) break;
      done += n;
      // A file swapped after it was checked (a link to /dev/zero) must not fill the store.
      if (done > blob.size)
        return sdk::Status::invalid_argument("blob " + blob.digest.str() + " is larger than the " +
                                             std::to_string(blob.size) + " bytes its descriptor says");
      if (auto status = (*writer)->write(buffer.data(), static_cast<std::size_t>(n)); !status) return status;
      if (hooks.progress) hooks.progress(blob.digest, done, blob.size);
    }
    auto committed = (*writer)->commit(blob.digest, blob.size);
    return committed ? sdk::Status::ok() : committed.status();
  }

  fs::path dir_;
  std::string tag_;
  std::string digest_;
};

}  // namespace

sdk::Status LocalCache::check(const sdk::Attributes& attributes, sdk::CacheDirection direction) {
  if (direction == sdk::CacheDirection::Import) {
    if (auto status = check_keys(attributes, "local", {"src", "tag", "digest"}); !status) return status;
    if (auto digest = attributes.find("digest"); digest != attributes.end())
      if (auto parsed = sdk::Digest::parse(digest->second); !parsed) return parsed.status().with_context("digest=");
    return require(attributes, "src");
  }
  if (auto status = check_keys(attributes, "local", {"dest", "tag"}, kLayoutKeys); !status) return status;
  if (auto status = require(attributes, "dest"); !status) return status;
  if (auto options = layout_options(attributes); !options) return options.status();
  const fs::path dest = fs::absolute(attributes.at("dest"));
  std::error_code error;
  if (fs::exists(dest, error) && !fs::is_directory(dest, error))
    return sdk::Status::invalid_argument("dest " + dest.string() + " exists and is not a directory");
  fs::path existing = dest;
  while (!existing.empty() && !fs::exists(existing, error)) existing = existing.parent_path();
  if (::access(existing.c_str(), W_OK) != 0)
    return sdk::Status::permission_denied("dest " + dest.string() + ": " + existing.string() + " is not writable");
  return sdk::Status::ok();
}

sdk::Result<std::unique_ptr<sdk::CacheReader>> LocalCache::open(const sdk::Attributes& attributes) {
  auto digest = attributes.find("digest");
  return std::make_unique<LocalReader>(fs::absolute(attributes.at("src")), tag_of(attributes),
                                       digest == attributes.end() ? std::string() : digest->second);
}

sdk::Status LocalCache::export_cache(const sdk::Attributes& attributes, sdk::CacheExportSource& source) {
  auto options = layout_options(attributes);
  if (!options) return options.status();
  auto layout = source.layout(*options);
  if (!layout) return layout.status();
  const fs::path dest = fs::absolute(attributes.at("dest"));
  auto dir = LayoutDir::open_for_writing(dest);
  if (!dir) return dir.status();
  for (const auto& blob : layout->blobs) {
    if (source.stop().stop_requested()) return sdk::Status::cancelled("cache export cancelled");
    if (auto status = dir->put_blob(blob, source.content()); !status) return status.with_context("writing " + dest.string());
  }
  if (auto status = dir->put_bytes(layout->root, layout->root_json); !status) return status;
  if (auto status = dir->tag(layout->root, tag_of(attributes)); !status) return status;
  return dir->collect_garbage();
}

}  // namespace dbuild::cache_backends
