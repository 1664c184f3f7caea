// local_exporter.hpp: the `local` exporter (`--output type=local,dest=DIR`, or `-o DIR`): the
// result's root file system copied into a directory, with modes, symlinks, hardlinks, device
// nodes and xattrs; files belong to the caller, as with BuildKit (the tar exporter and images
// keep owners). With several platforms, each goes to DIR/<os>_<arch>[_<variant>].
#pragma once

#include <dbuild/sdk/exporter.hpp>

namespace dbuild::exporters {

class LocalExporter final : public sdk::Exporter {
 public:
  [[nodiscard]] sdk::Status check(const sdk::Attributes& attributes) override;
  [[nodiscard]] sdk::Result<sdk::ExportResponse> export_result(const sdk::Attributes& attributes,
                                                               sdk::ExportSource& source) override;
};

}  // namespace dbuild::exporters
