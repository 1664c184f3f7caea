// overlay_mount.hpp: mounting and unmounting overlayfs for snapshots. The lower layers' paths
// may not fit in one mount option (one page), so long stacks are mounted with paths relative to
// a common directory, from a child process that changes into it.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::snapshot {

struct OverlaySpec {
  std::vector<std::filesystem::path> lowers;  // topmost first, as overlayfs lists them
  std::optional<std::filesystem::path> upper;  // with work: a writable mount; without: read-only
  std::optional<std::filesystem::path> work;
};

/// Mounts `spec` at `target`. Directory renames and metadata-only copy-ups are turned off so
/// that the upper dir is always a plain diff (files and whiteouts) that a layer can be made of.
/// Errors: permission_denied or unavailable, with the kernel's reason.
sdk::Status mount_overlay(const OverlaySpec& spec, const std::filesystem::path& target);

/// Unmounts `target`; a busy mount is detached lazily rather than left behind.
sdk::Status unmount(const std::filesystem::path& target);

/// True when an overlay mount works in `scratch_dir` (on its file system, with our privileges).
bool overlay_supported(const std::filesystem::path& scratch_dir);

}  // namespace dbuild::snapshot
