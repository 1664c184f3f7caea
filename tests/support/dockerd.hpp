// dockerd.hpp: a private Docker engine for a test: Debian's dockerd on a socket, data root and
// exec root of its own (no bridge, no iptables), started and stopped by the test, so that tests
// never touch or depend on a system engine.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace dbuild::test {

class Dockerd {
 public:
  /// Starts dockerd and waits until it answers; skips the test (or fails under
  /// DBUILD_REQUIRE_INTEGRATION=1) when dockerd is missing or does not come up.
  Dockerd();
  ~Dockerd();

  /// "unix:///tmp/.../docker.sock", for DOCKER_HOST.
  [[nodiscard]] std::string host() const { return "unix://" + socket_.string(); }
  /// Runs Debian's docker CLI against this engine.
  ProcessResult docker(const std::vector<std::string>& args) const;

 private:
  TempDir dir_;
  std::filesystem::path socket_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace dbuild::test
