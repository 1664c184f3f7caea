// registry_hosts.hpp: how dbuild reaches a registry: the API host (docker.io is served by
// registry-1.docker.io), whether plain HTTP and unverified TLS are allowed (loopback and the
// `insecure-registries` of dbuild's config file only), and the extra CAs and client certificates
// from Docker's certs.d convention. See core/registry/README.md for the files.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::registry {

/// Reads an environment variable; tests pass their own instead of changing the process's.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
[[nodiscard]] EnvLookup process_environment();

inline constexpr const char* kDockerHubDomain = "docker.io";
inline constexpr const char* kDockerHubApiHost = "registry-1.docker.io";
/// The key Docker keeps Docker Hub's credentials under in config.json.
inline constexpr const char* kDockerHubAuthKey = "https://index.docker.io/v1/";

/// What a user may type for a registry ("docker.io", "index.docker.io", "https://index.docker.io/v1/",
/// "http://localhost:5000/") in the form references use: "docker.io", "localhost:5000".
[[nodiscard]] std::string normalize_registry(std::string_view text);

/// The host serving the distribution API for a reference's domain.
[[nodiscard]] std::string api_host(std::string_view domain);

struct HostRules {
  /// Entries as Docker's daemon.json takes them: "host", "host:port", or an IP range "10.0.0.0/8".
  std::vector<std::string> insecure_registries;
  /// Searched in order for `<dir>/<host[:port]>/`: *.crt are extra CAs, NAME.cert + NAME.key a
  /// client certificate.
  std::vector<std::filesystem::path> certs_dirs;
  /// Localhost, 127.0.0.0/8 and ::1 are insecure unless a caller (a test of CA handling) says not.
  bool loopback_is_insecure = true;
};

/// dbuild's client configuration directory: $DBUILD_CONFIG, else $XDG_CONFIG_HOME/dbuild, else
/// ~/.config/dbuild.
[[nodiscard]] std::filesystem::path dbuild_config_dir(const EnvLookup& env);

/// The rules from `<dbuild config dir>/config.json` ({"insecure-registries": [...]}; a missing file
/// means none), with certs dirs `<dbuild config dir>/certs.d` then `/etc/docker/certs.d`.
/// Errors: invalid_argument (the file is not JSON of that form, naming the file).
[[nodiscard]] sdk::Result<HostRules> load_host_rules(const EnvLookup& env = process_environment());

/// True for "localhost", "*.localhost", 127.0.0.0/8 and ::1, with or without a port.
[[nodiscard]] bool is_loopback_host(std::string_view host);
/// True when `host` ("name[:port]") may be reached over plain HTTP and unverified TLS.
[[nodiscard]] bool is_insecure_host(const HostRules& rules, std::string_view host);

struct Endpoint {
  std::string host;       // "registry-1.docker.io", "127.0.0.1:5000"
  bool insecure = false;  // try HTTPS without verification first, then plain HTTP
  std::string ca_pem;     // extra CAs for this host, trusted besides the system's
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
};

/// The endpoint for a reference domain or host, with its certs.d files read. Unreadable CA files
/// are skipped: the TLS error that follows names the host.
[[nodiscard]] Endpoint endpoint_for(const HostRules& rules, std::string_view domain);

}  // namespace dbuild::registry
