// registry_hosts.cpp: registry names, the insecure-registry rules and certs.d lookups.
#include "registry/registry_hosts.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace dbuild::registry {
namespace {

namespace fs = std::filesystem;

struct HostPort {
  std::string name;  // without brackets for IPv6
  std::string port;  // empty when none
};

HostPort split_host_port(std::string_view host) {
  if (host.starts_with("[")) {
    auto close = host.find(']');
    if (close == std::string_view::npos) return {std::string(host), ""};
    auto rest = host.substr(close + 1);
    return {std::string(host.substr(1, close - 1)), rest.starts_with(":") ? std::string(rest.substr(1)) : ""};
  }
  auto colon = host.rfind(':');
  if (colon == std::string_view::npos || host.find(':') != colon) return {std::string(host), ""};  // none, or bare IPv6
  return {std::string(host.substr(0, colon)), std::string(host.substr(colon + 1))};
}

struct Address {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
};

std::optional<Address> parse_address(const std::string& text) {
  Address address;
  if (::inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) {
    address.family = AF_INET;
    return address;
  }
  if (::inet_pton(AF_INET6, text.c_str(), address.bytes.data()) == 1) {
    address.family = AF_INET6;
    return address;
  }
  return std::nullopt;
}

bool in_range(const Address& address, const std::string& cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  auto network = parse_address(cidr.substr(0, slash));
  if (!network || network->family != address.family) return false;
  char* end = nullptr;
  long bits = std::strtol(cidr.c_str() + slash + 1, &end, 10);
  long max_bits = address.family == AF_INET ? 32 : 128;
  if (*end != '\0' || bits < 0 || bits > max_bits) return false;
  for (long i = 0; i < bits; ++i) {
    auto mask = static_cast<unsigned char>(0x80u >> (i % 8));
    if ((address.bytes[i / 8] & mask) != (network->bytes[i / 8] & mask)) return false;
  }
  return true;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void read_certs_dir(const fs::path& dir, Endpoint& endpoint) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return;
  // increment(error) rather than a range-for, whose ++ throws on I/O errors.
  for (fs::directory_iterator entry(dir, error), end; !error && entry != end; entry.increment(error)) {
    const auto& path = entry->path();
    if (path.extension() == ".crt") {
      endpoint.ca_pem += read_text(path);
      endpoint.ca_pem += "\n";
    } else if (path.extension() == ".cert" && endpoint.client_cert.empty()) {
      auto key = path;
      key.replace_extension(".key");
      if (fs::exists(key, error)) endpoint.client_cert = path, endpoint.client_key = key;
    }
  }
}

}  // namespace

EnvLookup process_environment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

std::string normalize_registry(std::string_view text) {
  for (std::string_view scheme : {"https://", "http://"})
    if (text.starts_with(scheme)) text.remove_prefix(scheme.size());
  if (auto slash = text.find('/'); slash != std::string_view::npos) text = text.substr(0, slash);
  std::string host(text);
  if (host.empty() || host == "index.docker.io" || host == kDockerHubApiHost || host == "registry.hub.docker.com")
    return kDockerHubDomain;
  return host;
}

std::string api_host(std::string_view domain) {
  auto normalized = normalize_registry(domain);
  return normalized == kDockerHubDomain ? kDockerHubApiHost : normalized;
}

fs::path dbuild_config_dir(const EnvLookup& env) {
  if (auto dir = env("DBUILD_CONFIG"); dir && !dir->empty()) return *dir;
  if (auto xdg = env("XDG_CONFIG_HOME"); xdg && !xdg->empty()) return fs::path(*xdg) / "dbuild";
  auto home = env("HOME");
  return fs::path(home ? *home : "/") / ".config" / "dbuild";
}

sdk::Result<HostRules> load_host_rules(const EnvLookup& env) {
  HostRules rules;
  auto dir = dbuild_config_dir(env);
  rules.certs_dirs = {dir / "certs.d", "/etc/docker/certs.d"};
  auto file = dir / "config.json";
  std::error_code error;
  if (!fs::exists(file, error)) return rules;
  auto doc = nlohmann::json::parse(read_text(file), nullptr, false);
  auto bad = [&](const std::string& why) { return sdk::Status::invalid_argument(file.string() + ": " + why); };
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  auto found = doc.find("insecure-registries");
  if (found == doc.end()) return rules;
  if (!found->is_array()) return bad("\"insecure-registries\" must be a list of \"host[:port]\" strings");
  for (const auto& entry : *found) {
    if (!entry.is_string()) return bad("\"insecure-registries\" must be a list of \"host[:port]\" strings");
    // "10.0.0.0/8" stays as it is; "http://host:5000/" becomes "host:5000".
    auto text = entry.get<std::string>();
    rules.insecure_registries.push_back(text.find("://") == std::string::npos ? text : normalize_registry(text));
  }
  return rules;
}

bool is_loopback_host(std::string_view host) {
  auto [name, port] = split_host_port(host);
  if (name == "localhost" || name.ends_with(".localhost")) return true;
  auto address = parse_address(name);
  if (!address) return false;
  if (address->family == AF_INET) return address->bytes[0] == 127;
  static const std::array<unsigned char, 16> kLoopback6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return address->bytes == kLoopback6;
}

bool is_insecure_host(const HostRules& rules, std::string_view host) {
  if (rules.loopback_is_insecure && is_loopback_host(host)) return true;
  auto [name, port] = split_host_port(host);
  auto address = parse_address(name);
  for (const auto& entry : rules.insecure_registries) {
    if (entry == host) return true;
    if (split_host_port(entry).port.empty() && split_host_port(entry).name == name) return true;
    if (address && in_range(*address, entry)) return true;
  }
  return false;
}

Endpoint endpoint_for(const HostRules& rules, std::string_view domain) {
  Endpoint endpoint;
  endpoint.host = api_host(domain);
  endpoint.insecure = is_insecure_host(rules, endpoint.host) || is_insecure_host(rules, normalize_registry(domain));
  for (const auto& dir : rules.certs_dirs) {
    read_certs_dir(dir / endpoint.host, endpoint);
    if (endpoint.host != normalize_registry(domain)) read_certs_dir(dir / normalize_registry(domain), endpoint);
  }
  return endpoint;
}

}  // namespace dbuild::registry
