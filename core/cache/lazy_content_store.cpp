// lazy_content_store.cpp: imported layer blobs fetched on first read (lazy_content_store.hpp).
#include "cache/lazy_content_store.hpp"

#include "cache/imported_records.hpp"

namespace dbuild::cache {

void LazyContentStore::add(const ImportedStack& stack) {
  std::lock_guard lock(mutex_);
  for (const auto& layer : stack.layers)
    if (layer.blob) pending_.emplace(layer.blob->digest.str(), Pending{*layer.blob, stack.reader, stack.source});
}

const LazyContentStore::Pending* LazyContentStore::pending(const sdk::Digest& digest) {
  std::lock_guard lock(mutex_);
  auto found = pending_.find(digest.str());
  return found == pending_.end() ? nullptr : &found->second;
}

sdk::Status LazyContentStore::fetch(const sdk::Digest& digest) {
  const auto* blob = pending(digest);
  if (!blob || local_.exists(digest)) return sdk::Status::ok();
  auto fetched = blob->reader->fetch_blob(blob->blob, local_, {{}, stop_});
  if (fetched || fetched.code() == sdk::Code::Cancelled) return fetched;
  return std::move(fetched)
      .with_context("fetching layer " + digest.str() + " from --cache-from " + blob->source)
      .with_hint("the build's steps were answered by that cache, which no longer holds this layer: export the "
                 "cache again, or build without that --cache-from");
}

bool LazyContentStore::exists(const sdk::Digest& digest) { return local_.exists(digest) || pending(digest); }

sdk::Result<std::int64_t> LazyContentStore::size(const sdk::Digest& digest) {
  if (local_.exists(digest)) return local_.size(digest);
  if (const auto* blob = pending(digest)) return blob->blob.size;
  return local_.size(digest);
}

sdk::Result<std::string> LazyContentStore::read(const sdk::Digest& digest) {
  if (auto status = fetch(digest); !status) return status;
  return local_.read(digest);
}

sdk::Result<std::filesystem::path> LazyContentStore::path(const sdk::Digest& digest) {
  if (auto status = fetch(digest); !status) return status;
  return local_.path(digest);
}

}  // namespace dbuild::cache
