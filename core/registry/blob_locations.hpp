// blob_locations.hpp: where this client has seen blobs (pulled from, pushed to), so that a push
// to another repository of the same registry can mount instead of uploading. Bounded: it is a
// hint, and forgetting costs only an upload.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <dbuild/sdk/digest.hpp>

namespace dbuild::registry {

class BlobLocations {
 public:
  static constexpr std::size_t kMaxDigests = 10000;
  static constexpr std::size_t kMaxPerDigest = 8;

  void add(const std::string& registry, const std::string& repository, const sdk::Digest& digest);
  /// A repository of `registry`, other than `except`, that holds `digest`.
  [[nodiscard]] std::optional<std::string> find(const std::string& registry, const sdk::Digest& digest,
                                                const std::string& except);

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> seen_;  // digest -> (registry, repository)
};

}  // namespace dbuild::registry
