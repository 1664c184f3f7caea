// image_store.hpp: the local image store: names pointing at manifests in the content store.
// Every blob an image needs (manifest, config, layers) is referenced as ("image", name), so the
// content store's GC never removes a stored image's parts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::db {
class Database;
}
namespace dbuild::content {
class LocalContentStore;
}

namespace dbuild::image {

struct StoredImage {
  std::string name;  // normalised: "docker.io/library/app:1"
  sdk::Descriptor manifest;
  std::int64_t size = 0;  // manifest + config + layers
  std::int64_t created = 0;
};

class ImageStore {
 public:
  ImageStore(db::Database& database, content::LocalContentStore& content) : database_(database), content_(content) {}

  /// Names `manifest` (already stored, with `blobs`: config and layers) as `name`, replacing
  /// what the name pointed at. `name` must be normalised. Errors: not_found (a blob is missing),
  /// unavailable.
  [[nodiscard]] sdk::Status put(const std::string& name, const sdk::Descriptor& manifest,
                                const std::vector<sdk::Descriptor>& blobs);

  /// Errors: not_found ("no such image").
  [[nodiscard]] sdk::Result<StoredImage> get(const std::string& name);
  [[nodiscard]] sdk::Result<std::vector<StoredImage>> list();
  /// Errors: not_found.
  [[nodiscard]] sdk::Status remove(const std::string& name);

 private:
  db::Database& database_;
  content::LocalContentStore& content_;
};

}  // namespace dbuild::image
