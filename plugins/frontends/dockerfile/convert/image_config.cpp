// image_config.cpp: image config <-> JSON, with Docker's capitalised field names and its
// representation of ports and volumes as objects with empty values.
#include "convert/image_config.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace dbuild::dockerfile {
namespace {

using json = nlohmann::json;

std::vector<std::string> strings_of(const json& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const auto& item : value)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

std::vector<std::string> keys_of(const json& value) {
  std::vector<std::string> out;
  if (!value.is_object()) return out;
  for (const auto& [key, ignored] : value.items()) out.push_back(key);
  return out;
}

std::int64_t integer_of(const json& object, const char* name) {
  auto found = object.find(name);
  return found != object.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0;
}

json object_of_keys(const std::vector<std::string>& keys) {
  json out = json::object();
  for (const auto& key : keys) out[key] = json::object();
  return out;
}

}  // namespace

void ImageConfig::set_env(const std::string& key, const std::string& value) {
  for (auto& entry : env) {
    auto equals = entry.find('=');
    if (entry.compare(0, equals, key) == 0 && equals == key.size()) {
      entry = key + "=" + value;
      return;
    }
  }
  env.push_back(key + "=" + value);
}

std::optional<std::string> ImageConfig::env_value(std::string_view key) const {
  for (auto it = env.rbegin(); it != env.rend(); ++it) {
    auto equals = it->find('=');
    if (equals == key.size() && it->compare(0, equals, key) == 0) return it->substr(equals + 1);
  }
  return std::nullopt;
}

sdk::Result<ImageConfig> parse_image_config(std::string_view text) {
  auto doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return sdk::Status::invalid_argument("the base image's config is not a JSON object");
  ImageConfig config;
  config.architecture = doc.value("architecture", "");
  config.os = doc.value("os", "");
  config.variant = doc.value("variant", "");
  config.author = doc.value("author", "");
  config.created = doc.value("created", "");
  const json& c = doc.contains("config") && doc["config"].is_object() ? doc["config"] : json::object();
  config.env = strings_of(c.value("Env", json::array()));
  if (c.contains("Cmd") && c["Cmd"].is_array()) config.cmd = strings_of(c["Cmd"]);
  if (c.contains("Entrypoint") && c["Entrypoint"].is_array()) config.entrypoint = strings_of(c["Entrypoint"]);
  config.working_dir = c.value("WorkingDir", "");
  config.user = c.value("User", "");
  if (c.contains("Labels") && c["Labels"].is_object())
    for (const auto& [key, value] : c["Labels"].items())
      if (value.is_string()) config.labels[key] = value.get<std::string>();
  config.exposed_ports = keys_of(c.value("ExposedPorts", json::object()));
  config.volumes = keys_of(c.value("Volumes", json::object()));
  config.stop_signal = c.value("StopSignal", "");
  config.shell = strings_of(c.value("Shell", json::array()));
  config.on_build = strings_of(c.value("OnBuild", json::array()));
  if (c.contains("Healthcheck") && c["Healthcheck"].is_object()) {
    const auto& h = c["Healthcheck"];
    HealthConfig health;
    health.test = strings_of(h.value("Test", json::array()));
    health.interval_ns = integer_of(h, "Interval");
    health.timeout_ns = integer_of(h, "Timeout");
    health.start_period_ns = integer_of(h, "StartPeriod");
    health.start_interval_ns = integer_of(h, "StartInterval");
    health.retries = static_cast<int>(integer_of(h, "Retries"));
    config.healthcheck = health;
  }
  if (doc.contains("history") && doc["history"].is_array()) {
    for (const auto& entry : doc["history"]) {
      if (!entry.is_object()) continue;
      config.history.push_back({entry.value("created", ""), entry.value("created_by", ""), entry.value("comment", ""),
                                entry.value("empty_layer", false)});
    }
  }
  return config;
}

std::string image_config_json(const ImageConfig& config) {
  json c = json::object();
  if (!config.env.empty()) c["Env"] = config.env;
  if (config.cmd) c["Cmd"] = *config.cmd;
  if (config.entrypoint) c["Entrypoint"] = *config.entrypoint;
  if (!config.working_dir.empty()) c["WorkingDir"] = config.working_dir;
  if (!config.user.empty()) c["User"] = config.user;
  if (!config.labels.empty()) c["Labels"] = config.labels;
  if (!config.exposed_ports.empty()) c["ExposedPorts"] = object_of_keys(config.exposed_ports);
  if (!config.volumes.empty()) c["Volumes"] = object_of_keys(config.volumes);
  if (!config.stop_signal.empty()) c["StopSignal"] = config.stop_signal;
  if (!config.shell.empty()) c["Shell"] = config.shell;
  if (!config.on_build.empty()) c["OnBuild"] = config.on_build;
  if (config.healthcheck) {
    const auto& h = *config.healthcheck;
    json health = {{"Test", h.test}};
    if (h.interval_ns) health["Interval"] = h.interval_ns;
    if (h.timeout_ns) health["Timeout"] = h.timeout_ns;
    if (h.start_period_ns) health["StartPeriod"] = h.start_period_ns;
    if (h.start_interval_ns) health["StartInterval"] = h.start_interval_ns;
    if (h.retries) health["Retries"] = h.retries;
    c["Healthcheck"] = health;
  }
  json doc = {{"config", c}};
  if (!config.architecture.empty()) doc["architecture"] = config.architecture;
  if (!config.os.empty()) doc["os"] = config.os;
  if (!config.variant.empty()) doc["variant"] = config.variant;
  if (!config.author.empty()) doc["author"] = config.author;
  if (!config.created.empty()) doc["created"] = config.created;
  json history = json::array();
  for (const auto& entry : config.history) {
    json item = json::object();
    if (!entry.created.empty()) item["created"] = entry.created;
    if (!entry.created_by.empty()) item["created_by"] = entry.created_by;
    if (!entry.comment.empty()) item["comment"] = entry.comment;
    if (entry.empty_layer) item["empty_layer"] = true;
    history.push_back(item);
  }
  doc["history"] = history;
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace dbuild::dockerfile
