// blob_location_store.hpp: where BlobLocations keeps its hints between processes (the state
// root's database; see sqlite_blob_locations.hpp). An interface, so that the client does not
// depend on SQLite and tests can count what it writes.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <dbuild/sdk/digest.hpp>

namespace dbuild::registry {

struct BlobLocation {
  std::string registry;    // "127.0.0.1:5000"
  std::string repository;  // "library/base"
  sdk::Digest digest;
};

/// Neither call fails: the locations are a hint, so an implementation reports its own problems
/// (as debug messages) and answers "nothing known". Both may be called from any thread.
class BlobLocationStore {
 public:
  virtual ~BlobLocationStore() = default;
  /// Repositories of `registry` known to hold `digest`, the most recently seen first.
  [[nodiscard]] virtual std::vector<std::string> find(const std::string& registry, const sdk::Digest& digest) = 0;
  /// Records `locations` as seen now, all at once (one transaction), keeping the store bounded.
  virtual void record(std::span<const BlobLocation> locations) = 0;
};

}  // namespace dbuild::registry
