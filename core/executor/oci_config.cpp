// oci_config.cpp: the OCI runtime spec for a build step. Mirrors what BuildKit's runc worker
// gives a RUN: Docker's default capabilities, masked /proc paths, a fresh /dev, /proc and /sys,
// and a new network namespace with only loopback unless the step asks for the host's.
#include <sys/resource.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "executor/run_spec.hpp"

namespace dbuild::executor {
namespace {

using json = nlohmann::json;

// Docker's default capability set, which BuildKit also grants to RUN.
const std::vector<std::string> kDefaultCapabilities = {
    "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",      "CAP_MKNOD",
    "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",           "CAP_SETFCAP",     "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",      "CAP_AUDIT_WRITE"};

// Everything runc knows, for RUN --security=insecure.
const std::vector<std::string> kAllCapabilities = {
    "CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_AUDIT_WRITE", "CAP_BLOCK_SUSPEND", "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_KILL", "CAP_LEASE", "CAP_LINUX_IMMUTABLE",
    "CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_MKNOD", "CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST", "CAP_NET_RAW", "CAP_PERFMON", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
    "CAP_SETUID", "CAP_SYSLOG", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_CHROOT", "CAP_SYS_MODULE",
    "CAP_SYS_NICE", "CAP_SYS_PACCT", "CAP_SYS_PTRACE", "CAP_SYS_RAWIO", "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_WAKE_ALARM"};

const std::vector<std::string> kMaskedPaths = {
    "/proc/acpi",         "/proc/asound",       "/proc/kcore",      "/proc/keys",       "/proc/latency_stats",
    "/proc/timer_list",   "/proc/timer_stats",  "/proc/sched_debug", "/proc/scsi",      "/sys/firmware",
    "/sys/devices/virtual/powercap"};

const std::vector<std::string> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};

json standard_mounts(bool insecure) {
  json mounts = json::array();
  mounts.push_back({{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"},
                    {"options", {"nosuid", "noexec", "nodev"}}});
  mounts.push_back({{"destination", "/dev"}, {"type", "tmpfs"}, {"source", "tmpfs"},
                    {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}});
  mounts.push_back({{"destination", "/dev/pts"}, {"type", "devpts"}, {"source", "devpts"},
                    {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}});
  mounts.push_back({{"destination", "/dev/shm"}, {"type", "tmpfs"}, {"source", "shm"},
                    {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}});
  mounts.push_back({{"destination", "/dev/mqueue"}, {"type", "mqueue"}, {"source", "mqueue"},
                    {"options", {"nosuid", "noexec", "nodev"}}});
  mounts.push_back({{"destination", "/sys"}, {"type", "sysfs"}, {"source", "sysfs"},
                    {"options", insecure ? json{"nosuid", "noexec", "nodev"} : json{"nosuid", "noexec", "nodev", "ro"}}});
  return mounts;
}

json bind_mount(const std::filesystem::path& source, const std::string& target, bool readonly) {
  json options = {"rbind", "nosuid", "nodev"};
  options.push_back(readonly ? "ro" : "rw");
  return {{"destination", target}, {"type", "bind"}, {"source", source.string()}, {"options", options}};
}

// BuildKit gives steps 1048576 open files; a runtime cannot raise the limit above dbuild's own
// hard limit, so take whichever is lower.
rlim_t nofile_limit() {
  struct rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_max == RLIM_INFINITY) return 1048576;
  return std::min<rlim_t>(limit.rlim_max, 1048576);
}

json process_of(const RunSpec& spec) {
  const auto& caps = spec.security == sdk::SecurityMode::Insecure ? kAllCapabilities : kDefaultCapabilities;
  json user = {{"uid", spec.user.uid}, {"gid", spec.user.gid}};
  if (!spec.user.additional_gids.empty()) user["additionalGids"] = spec.user.additional_gids;
  return {{"terminal", false},
          {"user", user},
          {"args", spec.args},
          {"env", with_default_path(spec.env)},
          {"cwd", spec.cwd.empty() ? "/" : spec.cwd},
          {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
          {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", nofile_limit()}, {"soft", nofile_limit()}}}},
          {"noNewPrivileges", false}};
}

}  // namespace

std::vector<std::string> with_default_path(std::vector<std::string> env) {
  for (const auto& entry : env)
    if (entry.rfind("PATH=", 0) == 0) return env;
  env.push_back(std::string("PATH=") + kDefaultPath);
  return env;
}

std::string make_oci_config(const RunSpec& spec) {
  const bool insecure = spec.security == sdk::SecurityMode::Insecure;
  json mounts = standard_mounts(insecure);
  if (!spec.hosts_file.empty()) mounts.push_back(bind_mount(spec.hosts_file, "/etc/hosts", true));
  if (!spec.resolv_conf_file.empty()) mounts.push_back(bind_mount(spec.resolv_conf_file, "/etc/resolv.conf", true));
  for (const auto& mount : spec.mounts) {
    if (mount.type == MountSpec::Type::Bind) {
      mounts.push_back(bind_mount(mount.source, mount.target, mount.readonly));
      continue;
    }
    json options = {"nosuid", "nodev", "mode=1777"};
    if (mount.size > 0) options.push_back("size=" + std::to_string(mount.size));
    mounts.push_back({{"destination", mount.target}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", options}});
  }

  json namespaces = {{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}};
  if (spec.network != sdk::NetworkMode::Host) namespaces.push_back({{"type", "network"}});

  json linux_section = {{"namespaces", namespaces},
                        {"resources", {{"devices", {{{"allow", insecure}, {"access", "rwm"}}}}}}};
  if (!insecure) {
    linux_section["maskedPaths"] = kMaskedPaths;
    linux_section["readonlyPaths"] = kReadonlyPaths;
  }
  json config = {{"ociVersion", "1.0.2"},
                 {"process", process_of(spec)},
                 {"root", {{"path", spec.rootfs.string()}, {"readonly", spec.readonly_rootfs}}},
                 {"hostname", spec.hostname},
                 {"mounts", mounts},
                 {"linux", linux_section}};
  return config.dump(2);
}

}  // namespace dbuild::executor
