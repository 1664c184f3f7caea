// test_registry.hpp: Debian's docker-registry (distribution 2.8) started by a test with its own
// config on 127.0.0.1 and a free port, storage in a temporary directory: without auth, with
// htpasswd Basic auth behind TLS (a CA and server certificate made with the openssl command), or
// with bearer tokens from a TestTokenServer. Skips the test when docker-registry is missing.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace dbuild::test {

/// A CA, and a server certificate it signed for 127.0.0.1 and localhost.
struct TestCertificates {
  std::filesystem::path ca_cert;
  std::filesystem::path server_cert;
  std::filesystem::path server_key;
};
/// Makes them in `dir` with the openssl command.
TestCertificates make_test_certificates(const std::filesystem::path& dir);

struct TestRegistryOptions {
  std::optional<TestCertificates> tls;
  std::optional<std::pair<std::string, std::string>> basic_user;  // htpasswd auth with this user and password
  struct Token {
    std::string realm;
    std::string service;
    std::string issuer;
    std::filesystem::path root_cert_bundle;
  };
  std::optional<Token> token;
};

/// One request as the registry's access log has it.
struct RegistryRequest {
  std::string method;
  std::string uri;  // "/v2/cache/app/blobs/sha256:...", with its query
  int status = 0;
};

class TestRegistry {
 public:
  explicit TestRegistry(TestRegistryOptions options = {});
  ~TestRegistry();
  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;

  /// Kills the registry (SIGKILL, as a crash would), keeping its storage and port.
  void stop();
  /// Starts it again on the same port and storage.
  void start();

  /// "127.0.0.1:PORT".
  [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  /// Where the registry keeps a blob's bytes (manifests are blobs too), for tampering tests.
  [[nodiscard]] std::filesystem::path blob_data_path(const std::string& digest) const;
  /// Where the registry keeps a repository's links to blobs, manifests and tags; removing it
  /// deletes the repository (the blobs stay, unreachable from it).
  [[nodiscard]] std::filesystem::path repository_path(const std::string& name) const;
  /// The requests served since the registry last started, oldest first (its access log).
  [[nodiscard]] std::vector<RegistryRequest> requests() const;

 private:
  void write_config();

  TestRegistryOptions options_;
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

/// A port on 127.0.0.1 that was free a moment ago.
int free_port();

/// Waits until something accepts TCP connections on 127.0.0.1:port; false after `seconds`.
bool wait_for_port(int port, int seconds);

/// Runs skopeo (skipping the test when it is missing) with `args`, accepting the test
/// registry's plain HTTP or self-signed TLS.
ProcessResult run_skopeo(const std::vector<std::string>& args);

}  // namespace dbuild::test
