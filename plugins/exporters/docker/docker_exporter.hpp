// docker_exporter.hpp: the `docker` exporter: a `docker load` tarball (`dest=FILE`, `dest=-`),
// or, with no dest (`--load`), the image loaded into the Docker engine over its API
// ($DOCKER_HOST, default unix:///var/run/docker.sock).
#pragma once

#include <dbuild/sdk/exporter.hpp>

namespace dbuild::exporters {

class DockerExporter final : public sdk::Exporter {
 public:
  [[nodiscard]] sdk::Status check(const sdk::Attributes& attributes) override;
  [[nodiscard]] sdk::Result<sdk::ExportResponse> export_result(const sdk::Attributes& attributes,
                                                               sdk::ExportSource& source) override;
};

}  // namespace dbuild::exporters
