// engine_config.cpp: reading the "history" section of dbuild's config file (see engine_config.hpp).
#include "cli/engine_config.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/units.hpp"

namespace dbuild::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Sizes and durations are strings ("64MiB", "30d"); a size may also be a number of bytes.
sdk::Result<std::int64_t> size_of(const json& value) {
  if (value.is_number_unsigned()) return value.get<std::int64_t>();
  if (value.is_string()) return parse_size(value.get<std::string>());
  return sdk::Status::invalid_argument("want a size such as \"64MiB\" or a number of bytes");
}

sdk::Status apply_history(const json& section, engine::EngineSettings& settings) {
  if (!section.is_object())
    return sdk::Status::invalid_argument("\"history\" must be an object with max-entries, max-age and log-limit");
  for (const auto& [key, value] : section.items()) {
    const std::string where = "\"history\".\"" + key + "\"";
    if (key == "max-entries") {
      if (!value.is_number_unsigned())
        return sdk::Status::invalid_argument(where + ": want a whole number of build records (0: no limit)");
      settings.history_max_entries = value.get<std::size_t>();
    } else if (key == "max-age") {
      auto seconds = value.is_string() ? parse_duration_seconds(value.get<std::string>())
                                       : sdk::Result<std::int64_t>(sdk::Status::invalid_argument("not a string"));
      if (!seconds)
        return sdk::Status::invalid_argument(where +
                                             ": want a duration such as \"720h\" or \"30d\" (\"0s\": no limit)");
      settings.history_max_age_seconds = *seconds;
    } else if (key == "log-limit") {
      auto bytes = size_of(value);
      if (!bytes) return bytes.status().with_context(where);
      settings.history_log_ceiling = *bytes;
    } else {
      return sdk::Status::invalid_argument(where + ": unknown setting (want max-entries, max-age or log-limit)");
    }
  }
  return sdk::Status::ok();
}

}  // namespace

sdk::Result<engine::EngineSettings> load_engine_settings(const fs::path& config_file) {
  engine::EngineSettings settings;
  std::error_code error;
  if (!fs::exists(config_file, error)) return settings;
  std::ifstream in(config_file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return sdk::Status::invalid_argument(config_file.string() + ": cannot be read");
  const auto doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return sdk::Status::invalid_argument(config_file.string() + ": not a JSON object");
  auto history = doc.find("history");
  if (history == doc.end()) return settings;
  if (auto status = apply_history(*history, settings); !status)
    return sdk::Status::invalid_argument(config_file.string() + ": " + status.to_string());
  return settings;
}

}  // namespace dbuild::cli
