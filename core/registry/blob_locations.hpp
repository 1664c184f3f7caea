// blob_locations.hpp: where this client has seen blobs (pulled from, pushed to), so that a push
// to another repository of the same registry can mount instead of uploading. Bounded: it is a
// hint, and forgetting costs only an upload. With a BlobLocationStore, what a process learns is
// saved by flush() and what earlier processes learnt is found there.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <dbuild/sdk/digest.hpp>

#include "registry/blob_location_store.hpp"

namespace dbuild::registry {

class BlobLocations {
 public:
  static constexpr std::size_t kMaxDigests = 10000;
  static constexpr std::size_t kMaxPerDigest = 8;

  /// `store` (not owned, may be null: memory only) must outlive this object or be replaced first.
  void use_store(BlobLocationStore* store);

  void add(const std::string& registry, const std::string& repository, const sdk::Digest& digest);
  /// A repository of `registry`, other than `except`, that holds `digest`: one seen by this
  /// process first, else one the store knows.
  [[nodiscard]] std::optional<std::string> find(const std::string& registry, const sdk::Digest& digest,
                                                const std::string& except);
  /// Hands what was added since the last flush to the store, in one call (none: keeps it).
  /// Never fails.
  void flush();

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> seen_;  // digest -> (registry, repository)
  BlobLocationStore* store_ = nullptr;
  std::vector<BlobLocation> pending_;  // added since the last flush (bounded as seen_)
};

}  // namespace dbuild::registry
