// overlay_mount.cpp: mount(2) calls for overlayfs, with the relative-path fallback.
#include "snapshot/overlay_mount.hpp"

#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace dbuild::snapshot {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxOptionLength = 4095;  // one page, less the terminating NUL
constexpr const char* kFixedOptions = "index=off,redirect_dir=off,metacopy=off";

std::string options_for(const OverlaySpec& spec, const fs::path& base) {
  auto relative = [&](const fs::path& path) {
    return base.empty() ? path.string() : path.lexically_relative(base).string();
  };
  std::string options = "lowerdir=";
  for (std::size_t i = 0; i < spec.lowers.size(); ++i) options += (i ? ":" : "") + relative(spec.lowers[i]);
  if (spec.upper) options += ",upperdir=" + relative(*spec.upper) + ",workdir=" + relative(*spec.work);
  return options + "," + kFixedOptions;
}

// The deepest directory holding every layer path, so that relative paths are short.
fs::path common_base(const OverlaySpec& spec) {
  fs::path base = spec.lowers.front().parent_path();
  auto contains = [&](const fs::path& path) {
    auto rel = path.lexically_relative(base);
    return !rel.empty() && *rel.begin() != "..";
  };
  auto all = spec.lowers;
  if (spec.upper) all.insert(all.end(), {*spec.upper, *spec.work});
  while (!base.empty() && base != base.root_path()) {
    bool ok = true;
    for (const auto& path : all) ok = ok && contains(path);
    if (ok) return base;
    base = base.parent_path();
  }
  return base;
}

sdk::Status mount_error(int error, const fs::path& target) {
  std::string message = "mounting overlay at " + target.string() + ": " + std::strerror(error);
  if (error == EPERM || error == EACCES) return sdk::Status::permission_denied(message);
  return sdk::Status::unavailable(message);
}

// mount(2) resolves relative paths against the caller's cwd, which is per process: do it in a
// child so that the parent's other threads keep theirs.
sdk::Status mount_from(const fs::path& base, const std::string& options, const fs::path& target) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return sdk::Status::unavailable(std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) return sdk::Status::unavailable(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    int result = 0;
    if (::chdir(base.c_str()) != 0 || ::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0)
      result = errno;
    (void)!::write(pipe_fds[1], &result, sizeof result);
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  int result = EIO;
  (void)!::read(pipe_fds[0], &result, sizeof result);
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (result != 0) return mount_error(result, target);
  return sdk::Status::ok();
}

}  // namespace

sdk::Status mount_overlay(const OverlaySpec& spec, const fs::path& target) {
  if (spec.lowers.empty()) return sdk::Status::invalid_argument("overlay needs at least one lower layer");
  if (spec.upper.has_value() != spec.work.has_value())
    return sdk::Status::invalid_argument("overlay needs both upper and work directories, or neither");
  auto options = options_for(spec, {});
  if (options.size() <= kMaxOptionLength) {
    if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0) return mount_error(errno, target);
    return sdk::Status::ok();
  }
  auto base = common_base(spec);
  auto relative_options = options_for(spec, base);
  if (relative_options.size() > kMaxOptionLength)
    return sdk::Status::unavailable("mounting overlay at " + target.string() + ": " +
                                    std::to_string(spec.lowers.size()) + " layers do not fit in one mount option");
  return mount_from(base, relative_options, target);
}

sdk::Status unmount(const fs::path& target) {
  if (::umount2(target.c_str(), 0) == 0) return sdk::Status::ok();
  if (errno == EINVAL || errno == ENOENT) return sdk::Status::ok();  // not mounted
  if (errno == EBUSY && ::umount2(target.c_str(), MNT_DETACH) == 0) return sdk::Status::ok();
  return sdk::Status::unavailable("unmounting " + target.string() + ": " + std::strerror(errno));
}

bool overlay_supported(const fs::path& scratch_dir) {
  std::error_code error;
  auto probe = scratch_dir / ("overlay-probe-" + std::to_string(::getpid()));
  for (const char* part : {"lower1", "lower2", "upper", "work", "merged"}) fs::create_directories(probe / part, error);
  OverlaySpec spec{{probe / "lower1", probe / "lower2"}, probe / "upper", probe / "work"};
  bool supported = !error && mount_overlay(spec, probe / "merged").is_ok();
  if (supported) (void)unmount(probe / "merged");
  fs::remove_all(probe, error);
  return supported;
}

}  // namespace dbuild::snapshot
