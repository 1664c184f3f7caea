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

// `value` / 10^digits with its fraction, trailing zeros and a bare '.' dropped (Go's fmtFrac).
std::string with_fraction(std::uint64_t value, int digits) {
  std::uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string fraction = std::to_string(value % scale);
  fraction.insert(0, static_cast<std::size_t>(digits) - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return std::to_string(value / scale) + (fraction.empty() ? "" : "." + fraction);
}

json object_of_keys(const std::vector<std::string>& keys) {
  json out = json::object();
  for (const auto& key : keys) out[key] = json::object();
  return out;
}

}  // namespace

std::pair<std::string, std::string> parse_key_value(std::string_view entry) {
  const auto equals = entry.find('=');
  if (equals == std::string_view::npos) return {std::string(entry), ""};
  return {std::string(entry.substr(0, equals)), std::string(entry.substr(equals + 1))};
}

void add_env(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  for (auto& entry : env) {
    if (parse_key_value(entry).first != key) continue;
    entry = key + "=" + value;
    return;
  }
  env.push_back(key + "=" + value);
}

void ImageConfig::set_env(const std::string& key, const std::string& value) { add_env(env, key, value); }

std::optional<std::string> ImageConfig::env_value(std::string_view key) const {
  for (auto it = env.rbegin(); it != env.rend(); ++it) {
    auto [name, value] = parse_key_value(*it);
    if (name == key) return value;
  }
  return std::nullopt;
}

std::string format_go_duration(std::int64_t nanoseconds) {
  if (nanoseconds == 0) return "0s";
  const std::string sign = nanoseconds < 0 ? "-" : "";
  std::uint64_t left = nanoseconds < 0 ? 0 - static_cast<std::uint64_t>(nanoseconds) : static_cast<std::uint64_t>(nanoseconds);
  constexpr std::uint64_t kSecond = 1'000'000'000;
  if (left < 1000) return sign + std::to_string(left) + "ns";
  if (left < kSecond) {
    // Sub-second: the largest unit that keeps a whole part, fraction without trailing zeros.
    const bool micro = left < 1'000'000;
    return sign + with_fraction(left, micro ? 3 : 6) + (micro ? "\xc2\xb5s" : "ms");
  }
  std::string out = with_fraction(left % (60 * kSecond), 9) + "s";
  const std::uint64_t minutes = left / (60 * kSecond);
  if (minutes > 0) {
    out = std::to_string(minutes % 60) + "m" + out;
    if (minutes >= 60) out = std::to_string(minutes / 60) + "h" + out;
  }
  return sign + out;
}

std::string healthcheck_history(const HealthConfig& health) {
  std::string test;
  for (const auto& word : health.test) test += (test.empty() ? "" : " ") + word;
  return "HEALTHCHECK {Test:[" + test + "] Interval:" + format_go_duration(health.interval_ns) +
         " Timeout:" + format_go_duration(health.timeout_ns) + " StartPeriod:" +
         format_go_duration(health.start_period_ns) + " StartInterval:" + format_go_duration(health.start_interval_ns) +
         " Retries:" + std::to_string(health.retries) + "}";
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
