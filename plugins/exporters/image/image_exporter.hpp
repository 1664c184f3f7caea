// image_exporter.hpp: the `image` exporter (-t NAME, --push, --output type=image|registry): the
// result named in the engine's image store (store=true, the default) and pushed to the registry
// of each name (push=true), with BuildKit's image attributes (compression, media types,
// annotations, push-by-digest).
#pragma once

#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/registry.hpp>

namespace dbuild::exporters {

class ImageExporter final : public sdk::Exporter {
 public:
  explicit ImageExporter(sdk::Registry& registry) : registry_(registry) {}
  [[nodiscard]] sdk::Status check(const sdk::Attributes& attributes) override;
  [[nodiscard]] sdk::Result<sdk::ExportResponse> export_result(const sdk::Attributes& attributes,
                                                               sdk::ExportSource& source) override;

 private:
  sdk::Registry& registry_;
};

}  // namespace dbuild::exporters
