// history_bundle.hpp: build records as a portable file (`dbuild history export` and `import`): a
// zstd-compressed tar holding a manifest with the format version, then per build its record
// (steps, cache-key inputs, outputs) as JSON and each step's output as it was stored. The format
// is share/doc/history.md's "Bundles".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "history/history_store.hpp"

namespace dbuild::history {

/// The version export writes and import reads; a bundle of another version is refused.
inline constexpr int kBundleVersion = 1;
/// The manifest's name, the first entry of every bundle.
inline constexpr const char* kBundleManifest = "dbuild-history.json";

/// Writes `builds` (finished ones, read again from `store` with their steps, logs and outputs)
/// to `file`, through a temporary file beside it renamed at the end: an error leaves no file.
/// Errors: failed_precondition (a build is still running), unavailable (cannot write the file).
[[nodiscard]] sdk::Status export_bundle(HistoryStore& store, const std::vector<BuildRecord>& builds,
                                        const std::filesystem::path& file);

struct ImportResult {
  std::vector<std::string> imported;  // refs, in the bundle's order
  std::vector<std::string> skipped;   // refs the history already had
};

/// Reads the whole bundle and checks it as import_bundle does, touching no database: a command
/// can refuse a bad file before it opens (or creates) history.db. Errors: as import_bundle.
[[nodiscard]] sdk::Status check_bundle(const std::filesystem::path& file);

/// Adds the bundle's builds to `store` under new local ids, keeping their refs, with their logs
/// indexed for `history search`; a build whose ref is already there is skipped (and listed).
/// All in one transaction: on any error nothing is imported. Errors: invalid_argument (not a
/// bundle, damaged or truncated, naming the file), failed_precondition (another format
/// version), not_found (no such file), unavailable.
[[nodiscard]] sdk::Result<ImportResult> import_bundle(HistoryStore& store, const std::filesystem::path& file);

}  // namespace dbuild::history
