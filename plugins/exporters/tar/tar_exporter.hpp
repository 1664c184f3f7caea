// tar_exporter.hpp: the `tar` exporter (`--output type=tar,dest=FILE`, `dest=-` or `-o -` for
// stdout): the result's root file system as one tarball. With several platforms, each goes
// under <os>_<arch>[_<variant>]/ in the same tarball.
#pragma once

#include <dbuild/sdk/exporter.hpp>

namespace dbuild::exporters {

class TarExporter final : public sdk::Exporter {
 public:
  [[nodiscard]] sdk::Status check(const sdk::Attributes& attributes) override;
  [[nodiscard]] sdk::Result<sdk::ExportResponse> export_result(const sdk::Attributes& attributes,
                                                               sdk::ExportSource& source) override;
};

}  // namespace dbuild::exporters
