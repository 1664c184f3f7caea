// docker_load.hpp: POST /images/load to a Docker engine with a tarball, reading its answer.
#pragma once

#include <filesystem>
#include <string>

#include <dbuild/sdk/status.hpp>

namespace dbuild::exporters {

/// The engine's socket from $DOCKER_HOST (unix:// only), default /var/run/docker.sock.
/// Errors: invalid_argument (a DOCKER_HOST that is not unix://).
[[nodiscard]] sdk::Result<std::string> docker_socket();

/// Streams `tarball` to the engine; returns what it said it loaded ("Loaded image: app:1").
/// Errors: unavailable (no engine answering: the message says which socket), and the engine's
/// own error.
[[nodiscard]] sdk::Result<std::string> docker_load(const std::string& socket, const std::filesystem::path& tarball);

}  // namespace dbuild::exporters
