// image_config.cpp: the typed reading of image configs; the field list is the image spec's.
#include "oci/image_config.hpp"

#include "oci/strict_json.hpp"

namespace dbuild::oci {
namespace {

using strict_json::Invalid;
using strict_json::json;

void check_container_config(const json& config, const std::string& where) {
  (void)strict_json::string_of(config, "User", where);
  (void)strict_json::key_set_of(config, "ExposedPorts", where);
  auto env = strict_json::strings_of(config, "Env", where);
  for (std::size_t i = 0; i < env.size(); ++i) {
    // The spec's validation: ^[^=]+=.*$
    if (auto equals = env[i].find('='); equals == 0 || equals == std::string::npos)
      throw Invalid(where + ".Env[" + std::to_string(i) + "]: \"" + env[i] + "\" is not NAME=value");
  }
  (void)strict_json::strings_of(config, "Entrypoint", where);
  (void)strict_json::strings_of(config, "Cmd", where);
  (void)strict_json::key_set_of(config, "Volumes", where);
  (void)strict_json::string_of(config, "WorkingDir", where);
  (void)strict_json::string_map_of(config, "Labels", where);
  (void)strict_json::string_of(config, "StopSignal", where);
  (void)strict_json::bool_of(config, "ArgsEscaped", where);
}

void check_history(const json& doc) {
  const json* history = strict_json::find(doc, "history");
  if (history == nullptr) return;
  if (!history->is_array()) throw Invalid("history: expected an array");
  for (std::size_t i = 0; i < history->size(); ++i) {
    const std::string where = "history[" + std::to_string(i) + "]";
    const json& entry = (*history)[i];
    if (entry.is_null()) continue;
    if (!entry.is_object()) throw Invalid(where + ": expected an object");
    (void)strict_json::time_of(entry, "created", where);
    (void)strict_json::string_of(entry, "created_by", where);
    (void)strict_json::string_of(entry, "author", where);
    (void)strict_json::string_of(entry, "comment", where);
    (void)strict_json::bool_of(entry, "empty_layer", where);
  }
}

}  // namespace

sdk::Result<ImageConfig> parse_config(std::string_view text) {
  try {
    auto doc = strict_json::parse_object(text, "image config");
    ImageConfig config;
    (void)strict_json::time_of(doc, "created", "");
    (void)strict_json::string_of(doc, "author", "");
    config.platform.os = strict_json::string_of(doc, "os", "");
    config.platform.architecture = strict_json::string_of(doc, "architecture", "");
    config.platform.variant = strict_json::string_of(doc, "variant", "");
    config.platform.os_version = strict_json::string_of(doc, "os.version", "");
    config.platform.os_features = strict_json::strings_of(doc, "os.features", "");
    check_container_config(strict_json::object_of(doc, "config", ""), "config");
    const json& rootfs = strict_json::object_of(doc, "rootfs", "");
    (void)strict_json::string_of(rootfs, "type", "rootfs");
    config.diff_ids = strict_json::strings_of(rootfs, "diff_ids", "rootfs");
    check_history(doc);
    return config;
  } catch (const Invalid& error) {
    return sdk::Status::invalid_argument(error.what());
  }
}

}  // namespace dbuild::oci
