// engine_config.hpp: the engine's settings from dbuild's config file (config.json in
// registry::dbuild_config_dir): its "history" section says how many build records to keep, for
// how long, and how much of each step's output.
#pragma once

#include <filesystem>

#include <dbuild/sdk/status.hpp>

#include "engine/local_engine.hpp"

namespace dbuild::cli {

/// The settings `config_file` gives, the defaults for what it leaves out (no file, no "history"):
///   "history": {"max-entries": 200, "max-age": "720h" | "30d", "log-limit": "64MiB" | 67108864}
/// max-entries 0 and max-age "0s" mean no limit; max_parallelism is left at its default (it comes
/// from --max-parallelism). Errors: invalid_argument naming the file and
/// the key (not JSON, a value of the wrong kind, an unknown key in "history").
[[nodiscard]] sdk::Result<engine::EngineSettings> load_engine_settings(const std::filesystem::path& config_file);

}  // namespace dbuild::cli
