// layer_tar_fs.hpp: the file-system side of layer tars (file metadata, xattrs, directory
// listing, removal), shared by the writers and the applier. Internal to core/snapshot.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::snapshot::detail {

inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kWhiteoutMetaPrefix = ".wh..wh.";  // aufs bookkeeping; ".wh..wh..opq" is one
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
inline constexpr std::string_view kOverlayOpaqueXattr = "trusted.overlay.opaque";

/// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

/// `"<path>": <what>: <strerror>`, with a Code chosen from the errno (ENOENT is not_found,
/// EACCES permission_denied, ENOSPC unavailable, ...).
sdk::Status errno_status(int error, std::string_view path, std::string_view what);

/// True for the xattrs overlayfs keeps for itself; they never enter or leave a layer.
[[nodiscard]] bool is_overlay_xattr(std::string_view name) noexcept;

/// True for an overlay whiteout: a character device with device number 0:0.
[[nodiscard]] bool is_overlay_whiteout(const struct stat& stat) noexcept;

struct Xattr {
  std::string name;
  std::string value;
  friend bool operator==(const Xattr&, const Xattr&) = default;
};

/// What a layer records about one file, read without following a symlink at `path`.
struct FileInfo {
  struct stat stat {};
  std::string link_target;    // symlinks only, verbatim
  std::vector<Xattr> xattrs;  // sorted by name, without trusted.overlay.*
  bool opaque = false;        // trusted.overlay.opaque=y (an overlay dir hiding its lower dirs)
  std::string overlay_only;   // an overlay xattr a layer cannot express ("trusted.overlay.redirect"), if any
};

/// Errors: not_found, permission_denied, unavailable, with `path` in the message.
sdk::Result<FileInfo> read_file_info(const std::string& path);

/// The names in a directory (no "." or ".."), sorted bytewise.
sdk::Result<std::vector<std::string>> list_directory(const std::string& path);
/// The same for an open directory; `fd` stays open and usable. `display` names it in errors.
sdk::Result<std::vector<std::string>> list_directory_fd(int fd, std::string_view display);

/// Removes `name` in `dir_fd` and, for a directory, everything under it, never following a
/// symlink. A missing `name` is fine. `display` names it in errors.
sdk::Status remove_tree_at(int dir_fd, const std::string& name, std::string_view display);

/// "a/b" from {"a", "b"}; "" when empty.
[[nodiscard]] std::string join_path(const std::vector<std::string>& parts, std::size_t count);

}  // namespace dbuild::snapshot::detail
