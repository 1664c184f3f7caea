// export_metadata.cpp: the first image's digests and descriptor, and every name.
#include "export_metadata.hpp"

#include <nlohmann/json.hpp>

namespace dbuild::exporters {

sdk::ExportResponse export_metadata(const std::vector<LayoutImage>& images) {
  sdk::ExportResponse response;
  if (images.empty()) return response;
  const auto& image = images.front().image;
  response.metadata["containerimage.digest"] = image.manifest.digest.str();
  response.metadata["containerimage.config.digest"] = image.config.digest.str();
  nlohmann::json descriptor = {{"mediaType", image.manifest.media_type},
                               {"digest", image.manifest.digest.str()},
                               {"size", image.manifest.size}};
  response.metadata["containerimage.descriptor"] = descriptor.dump();
  std::string names;
  for (const auto& entry : images)
    for (const auto& name : entry.names) names += (names.empty() ? "" : ",") + name;
  if (!names.empty()) response.metadata["image.name"] = names;
  return response;
}

}  // namespace dbuild::exporters
