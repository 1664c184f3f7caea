// export_metadata.hpp: what image exporters report back, with buildx's metadata keys:
// containerimage.digest, containerimage.config.digest, containerimage.descriptor, image.name.
#pragma once

#include <vector>

#include <dbuild/sdk/exporter.hpp>

#include "image_layout.hpp"

namespace dbuild::exporters {

[[nodiscard]] sdk::ExportResponse export_metadata(const std::vector<LayoutImage>& images);

}  // namespace dbuild::exporters
