// build_results.hpp: what `dbuild build` writes about its result besides the exporters' output:
// --metadata-file (buildx's JSON of the exporters' response), --iidfile and -q (the image ID).
#pragma once

#include <string>

#include <dbuild/sdk/engine.hpp>

namespace dbuild::cli {

/// Checks, before the build runs, that `path` can be written (its directory exists and is
/// writable). Errors: invalid_argument naming `flag` and the path.
[[nodiscard]] sdk::Status check_result_file(const std::string& path, const char* flag);

/// The image ID as buildx reports it: the config digest, else the manifest digest; empty when
/// the build made no image.
[[nodiscard]] std::string image_id(const sdk::SolveResponse& response);

/// The exporters' metadata as a JSON object (values that are JSON documents embedded as such),
/// with the build's reference under "dbuild.build.ref".
[[nodiscard]] std::string metadata_json(const sdk::SolveResponse& response);

/// Writes `text` to `path` (replaced whole). Errors: unavailable.
[[nodiscard]] sdk::Status write_result_file(const std::string& path, const std::string& text);

}  // namespace dbuild::cli
