// docker_config.hpp: Docker's client config file (`$DOCKER_CONFIG/config.json`, else
// `~/.docker/config.json`) as far as registry credentials go: `auths` entries, and the
// `credHelpers` / `credsStore` helper programs (`docker-credential-NAME get|store|erase`).
// dbuild reads and writes the same file, so `docker login` and `dbuild login` share credentials.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "os/subprocess.hpp"
#include "registry/credentials.hpp"
#include "registry/registry_hosts.hpp"

namespace dbuild::registry {

/// Runs a credential helper (argv[0] looked up in PATH) with `input` on stdin. Tests replace it.
using HelperRunner =
    std::function<sdk::Result<os::SubprocessResult>(const std::vector<std::string>& argv, const std::string& input)>;
[[nodiscard]] HelperRunner default_helper_runner();

/// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
[[nodiscard]] std::filesystem::path docker_config_file(const EnvLookup& env = process_environment());

/// The key config.json keeps `registry`'s credentials under: "https://index.docker.io/v1/" for
/// Docker Hub, the registry's host[:port] otherwise.
[[nodiscard]] std::string auth_key(std::string_view registry);

/// Where store() put the credentials, for the user's information.
enum class StoredIn { ConfigFile, Helper };

/// One config file. Reads it on every call (another process may log in meanwhile); writes it
/// atomically (temp file, fsync, rename), mode 0600, keeping every field it does not manage.
/// Not thread-safe for concurrent writes from one process (the CLI writes once).
class DockerConfig {
 public:
  explicit DockerConfig(std::filesystem::path file, HelperRunner runner = default_helper_runner());

  /// The credentials for `registry`: from its credHelpers entry, else credsStore, else `auths`
  /// (base64 "auth" or username/password, and identitytoken); nullopt when none. Errors:
  /// invalid_argument (malformed file or entry, naming the file), unavailable (a helper failed).
  [[nodiscard]] sdk::Result<std::optional<Credentials>> get(std::string_view registry) const;

  /// Saves credentials: to the registry's helper when one is configured, else as base64 "auth"
  /// under `auths`. Creates the file (0600) and its directory (0700) when missing.
  [[nodiscard]] sdk::Result<StoredIn> store(std::string_view registry, const Credentials& credentials) const;

  /// Removes the registry's credentials from the file and its helper; true when there were any.
  [[nodiscard]] sdk::Result<bool> erase(std::string_view registry) const;

  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  HelperRunner runner_;
};

/// A CredentialProvider over a DockerConfig that asks each registry once per client.
class DockerConfigCredentials final : public CredentialProvider {
 public:
  explicit DockerConfigCredentials(DockerConfig config) : config_(std::move(config)) {}
  sdk::Result<std::optional<Credentials>> credentials_for(std::string_view registry) override;

 private:
  DockerConfig config_;
  std::mutex mutex_;
  std::map<std::string, std::optional<Credentials>, std::less<>> cache_;
};

}  // namespace dbuild::registry
