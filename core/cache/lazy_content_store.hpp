// lazy_content_store.hpp: the content store an image exporter sees when the build's output was
// answered by an imported cache record and not made local: the output's layer blobs count as
// present, and each is fetched from its cache source only when something reads it (an upload
// that no mount spared, the image store), so that a push mounted from the cache's repository
// downloads nothing.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include <dbuild/sdk/cache_backend.hpp>
#include <dbuild/sdk/content_store.hpp>

namespace dbuild::cache {

struct ImportedStack;

class LazyContentStore final : public sdk::ContentStore {
 public:
  /// `local` (the build's leased store) receives fetched blobs; `stop` cancels a fetch.
  LazyContentStore(sdk::ContentStore& local, std::stop_token stop) : local_(local), stop_(std::move(stop)) {}

  /// Makes the blobs of `stack` present on demand; its reader must outlive this store.
  void add(const ImportedStack& stack);

  /// Copies `digest` into the local store when it is an added blob the store lacks; ok for any
  /// other digest. Errors: the cache reader's (not_found: the cache lost the blob), with the
  /// source named and a hint. Thread-safe.
  [[nodiscard]] sdk::Status fetch(const sdk::Digest& digest);

  sdk::Result<sdk::Digest> write(std::string_view data, std::optional<sdk::Digest> expected) override {
    return local_.write(data, expected);
  }
  sdk::Result<std::unique_ptr<sdk::BlobWriter>> writer() override { return local_.writer(); }
  bool exists(const sdk::Digest& digest) override;
  sdk::Result<std::int64_t> size(const sdk::Digest& digest) override;
  sdk::Result<std::string> read(const sdk::Digest& digest) override;
  sdk::Result<std::filesystem::path> path(const sdk::Digest& digest) override;

 private:
  struct Pending {
    sdk::Descriptor blob;
    sdk::CacheReader* reader;
    std::string source;  // "type=registry,ref=...", for messages
  };
  [[nodiscard]] const Pending* pending(const sdk::Digest& digest);

  sdk::ContentStore& local_;
  std::stop_token stop_;
  std::mutex mutex_;
  std::map<std::string, Pending> pending_;  // by digest
};

}  // namespace dbuild::cache
