// blob_locations.cpp: see blob_locations.hpp.
#include "registry/blob_locations.hpp"

#include <algorithm>

namespace dbuild::registry {

void BlobLocations::add(const std::string& registry, const std::string& repository, const sdk::Digest& digest) {
  std::lock_guard lock(mutex_);
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
  std::lock_guard lock(mutex_);
  auto found = seen_.find(digest.str());
  if (found == seen_.end()) return std::nullopt;
  for (auto place = found->second.rbegin(); place != found->second.rend(); ++place)
    if (place->first == registry && place->second != except) return place->second;
  return std::nullopt;
}

}  // namespace dbuild::registry
