// image_config.hpp: the OCI image config a Dockerfile stage builds up (what FROM inherits and
// ENV, CMD, LABEL, ... change), read from and written to JSON with Docker's field names.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/status.hpp>

#include "instructions/instructions.hpp"

namespace dbuild::dockerfile {

struct HistoryEntry {
  std::string created;
  std::string created_by;
  std::string comment;
  bool empty_layer = false;
};

struct ImageConfig {
  std::string architecture;
  std::string os;
  std::string variant;
  std::string author;
  std::vector<std::string> env;  // KEY=value, in order
  std::optional<std::vector<std::string>> cmd;
  std::optional<std::vector<std::string>> entrypoint;
  std::string working_dir;
  std::string user;
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;  // "80/tcp", sorted, unique
  std::vector<std::string> volumes;        // sorted, unique
  std::string stop_signal;
  std::optional<HealthConfig> healthcheck;
  std::vector<std::string> shell;  // empty: the default
  std::vector<std::string> on_build;
  std::vector<HistoryEntry> history;
  std::string created;

  /// Sets KEY in env as add_env does (Docker keeps the first position).
  void set_env(const std::string& key, const std::string& value);
  /// The value of KEY in env, if set (the last entry for KEY; "KEY" alone is an empty value).
  [[nodiscard]] std::optional<std::string> env_value(std::string_view key) const;
};

/// BuildKit's parseKeyValue: an env entry split at its first '='; no '=' means an empty value.
[[nodiscard]] std::pair<std::string, std::string> parse_key_value(std::string_view entry);

/// BuildKit's addEnv: sets KEY=value in `env`, replacing the FIRST entry whose key is KEY (an
/// entry "KEY" without '=' counts), else appending.
void add_env(std::vector<std::string>& env, const std::string& key, const std::string& value);

/// Go's time.Duration.String(): "0s", "100ms", "1.5µs", "1m30s", "1h0m0s".
[[nodiscard]] std::string format_go_duration(std::int64_t nanoseconds);

/// The history text of HEALTHCHECK, Go's %+v of the health config:
/// "HEALTHCHECK {Test:[CMD-SHELL exit 0] Interval:1s Timeout:0s StartPeriod:0s StartInterval:0s Retries:0}".
[[nodiscard]] std::string healthcheck_history(const HealthConfig& health);

/// Parses an image config JSON (a base image's). Unknown fields are ignored. Errors:
/// invalid_argument (not a JSON object).
[[nodiscard]] sdk::Result<ImageConfig> parse_image_config(std::string_view json);

/// The config as JSON, without rootfs (the engine adds it).
[[nodiscard]] std::string image_config_json(const ImageConfig& config);

}  // namespace dbuild::dockerfile
