// busybox_rootfs.hpp: a minimal root file system made from Debian's busybox-static, for tests
// that run real containers: /bin/busybox, a symlink per applet, /etc/passwd and /etc/group with
// root, a "builder" user (1000) and a "staff" group (50) listing builder.
#pragma once

#include <filesystem>

namespace dbuild::test {

/// Where busybox-static installs the static binary; tests that need it skip without it.
inline constexpr const char* kBusyboxStatic = "/bin/busybox";

/// True when kBusyboxStatic exists and is a static executable.
bool busybox_available();

/// Fills `dir` (created if missing) with the rootfs. Skips the test when busybox is missing.
void make_busybox_rootfs(const std::filesystem::path& dir);

}  // namespace dbuild::test
