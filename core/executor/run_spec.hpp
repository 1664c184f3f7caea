// run_spec.hpp: what the executor is asked to run: one process in a prepared root file system,
// with extra mounts, a network mode and a user. The solver fills it from an ExecOp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <dbuild/sdk/definition.hpp>

#include "executor/user.hpp"

namespace dbuild::executor {

/// The PATH a process gets when its env has none, as BuildKit's default on Linux.
inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// BuildKit's default hostname inside build containers.
inline constexpr const char* kDefaultHostname = "buildkitsandbox";

struct MountSpec {
  enum class Type { Bind, Tmpfs };
  Type type = Type::Bind;
  std::filesystem::path source;  // Bind: host path
  std::string target;            // container path
  bool readonly = false;
  std::int64_t size = 0;         // Tmpfs: bytes, 0 default
};

struct RunSpec {
  std::string id;                  // the container id, unique among running ones
  std::filesystem::path rootfs;    // the prepared root file system (a mount or a directory)
  std::vector<std::string> args;
  std::vector<std::string> env;    // PATH added when missing
  std::string cwd = "/";
  ResolvedUser user;
  std::vector<MountSpec> mounts;   // applied after the standard ones, in order
  sdk::NetworkMode network = sdk::NetworkMode::Default;
  sdk::SecurityMode security = sdk::SecurityMode::Sandbox;
  bool readonly_rootfs = false;
  std::string hostname = kDefaultHostname;
  std::filesystem::path hosts_file;        // bind-mounted at /etc/hosts when set
  std::filesystem::path resolv_conf_file;  // bind-mounted at /etc/resolv.conf when set
};

/// The OCI runtime spec (config.json) for `spec`, as runc and crun read it.
std::string make_oci_config(const RunSpec& spec);

/// `env` with PATH set to kDefaultPath when it has none.
std::vector<std::string> with_default_path(std::vector<std::string> env);

}  // namespace dbuild::executor
