// blob_locations.cpp: see blob_locations.hpp.
#include "registry/blob_locations.hpp"

#include <algorithm>

namespace dbuild::registry {

void BlobLocations::use_store(BlobLocationStore* store) {
  std::lock_guard lock(mutex_);
  store_ = store;
}

void BlobLocations::add(const std::string& registry, const std::string& repository, const sdk::Digest& digest) {
  std::lock_guard lock(mutex_);
  // Every sighting goes to the store, even one already known here: it refreshes the row's last
  // use there. Kept until a store takes them (one may be given after the first pulls); a process
  // without one stops collecting at the memory bound.
  if (pending_.size() < kMaxDigests) pending_.push_back({registry, repository, digest});
  auto found = seen_.find(digest.str());
  if (found == seen_.end()) {
    if (seen_.size() >= kMaxDigests) return;
    found = seen_.emplace(digest.str(), std::vector<std::pair<std::string, std::string>>()).first;
  }
  auto& places = found->second;
  std::pair<std::string, std::string> place{registry, repository};
  if (std::find(places.begin(), places.end(), place) != places.end()) return;
  if (places.size() >= kMaxPerDigest) places.erase(places.begin());
  places.push_back(std::move(place));
}

std::optional<std::string> BlobLocations::find(const std::string& registry, const sdk::Digest& digest,
                                               const std::string& except) {
  BlobLocationStore* store = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (auto found = seen_.find(digest.str()); found != seen_.end())
      for (auto place = found->second.rbegin(); place != found->second.rend(); ++place)
        if (place->first == registry && place->second != except) return place->second;
    store = store_;
  }
  if (!store) return std::nullopt;
  for (auto& repository : store->find(registry, digest))
    if (repository != except) return std::move(repository);
  return std::nullopt;
}

void BlobLocations::flush() {
  std::vector<BlobLocation> batch;
  BlobLocationStore* store = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (!store_) return;
    batch.swap(pending_);
    store = store_;
  }
  if (!batch.empty()) store->record(batch);
}

}  // namespace dbuild::registry
