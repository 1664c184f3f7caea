// oci_exporter.hpp: the `oci` exporter (`--output type=oci,dest=FILE|-|DIR[,tar=false]`): the
// image as an OCI image layout, in a tarball or a directory, its manifest annotated with the
// image's names (name=).
#pragma once

#include <dbuild/sdk/exporter.hpp>

namespace dbuild::exporters {

class OciExporter final : public sdk::Exporter {
 public:
  [[nodiscard]] sdk::Status check(const sdk::Attributes& attributes) override;
  [[nodiscard]] sdk::Result<sdk::ExportResponse> export_result(const sdk::Attributes& attributes,
                                                               sdk::ExportSource& source) override;
};

}  // namespace dbuild::exporters
