// layer_tar.hpp: snapshot directories to OCI layer tars and back, with deletions translated
// between the OCI form (`.wh.` entries) and the overlayfs form (0:0 devices, opaque xattrs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

#include <dbuild/sdk/status.hpp>

namespace dbuild::snapshot {

/// Receives tar bytes in order. An error stops the writer, which returns that Status as is.
using ByteSink = std::function<sdk::Status(const void* data, std::size_t size)>;
/// Fills `buffer` with up to `capacity` bytes and returns how many; 0 means the end.
using ByteSource = std::function<sdk::Result<std::size_t>(void* buffer, std::size_t capacity)>;

struct LayerWriteOptions {
  /// When set, every mtime later than this (seconds since the epoch) is written as this, so
  /// that rebuilding the same files at another time gives the same layer.
  std::optional<std::int64_t> source_date_epoch;
};

struct LayerStats {
  std::uint64_t entries = 0;  // tar entries written or read, whiteouts included
  std::uint64_t bytes = 0;    // uncompressed tar bytes written, or read up to the end-of-archive blocks
};

/// Writes the overlay upper dir `upper` (what one step changed) as an uncompressed OCI layer.
///
/// The output is a function of the tree alone: entries in path order (names compared bytewise,
/// each directory right before its contents), restricted pax (an extended header only for long
/// or non-ASCII names, nanosecond or out-of-range mtimes, xattrs, big ids), no user or group
/// names, no atime or ctime. A 0:0 character device becomes `.wh.<name>`, a directory with
/// `trusted.overlay.opaque=y` is followed by `<dir>/.wh..wh..opq`; both carry fixed metadata
/// (mode 0, owner 0:0, mtime 0). Files linked more than once are written once, then as tar
/// hardlinks to the first path. `trusted.overlay.*` xattrs are never written.
/// Errors: not_found / permission_denied / unavailable (reading `upper`), failed_precondition
/// (a file that a layer cannot express: an overlay redirect or metacopy, a name starting with
/// `.wh.`, a file changing while read), or whatever `out` returned.
/// Reentrant; `upper` must not change while it is written.
[[nodiscard]] sdk::Result<LayerStats> write_layer_from_upper(const std::filesystem::path& upper, const ByteSink& out,
                                                             const LayerWriteOptions& options);

/// Writes what differs between two full trees as an uncompressed OCI layer: for the copying
/// snapshotter, where `lower` is the parent's contents and `upper` the child's.
///
/// A path only in `lower` becomes a whiteout; a path in `upper` is written when it is new or
/// when its type, mode, owner, size, mtime, link target, device number or xattrs differ (file
/// contents are not compared). Directories on the way to a change are written too, with their
/// metadata from `upper`. An empty `lower` means no parent: everything in `upper` is new.
/// Same format and errors as write_layer_from_upper; hardlinks are shared only among the files
/// this layer writes.
[[nodiscard]] sdk::Result<LayerStats> write_layer_from_diff(const std::filesystem::path& lower,
                                                            const std::filesystem::path& upper, const ByteSink& out,
                                                            const LayerWriteOptions& options);

enum class WhiteoutFormat {
  /// `target` is a new, empty upper dir: whiteouts become 0:0 character devices and opaque
  /// markers set `trusted.overlay.opaque=y` on their directory.
  Overlay,
  /// `target` holds the full tree of the parent: whiteouts delete, and an opaque marker removes
  /// everything in its directory that this layer did not write.
  Delete,
};

/// Applies a layer (uncompressed tar, gzip or zstd; detected from the bytes) read from `in` onto
/// the existing directory `target`, then reads `in` to its end so that a caller hashing the
/// source sees every byte.
///
/// An entry replaces whatever is at its path, except that a directory over a directory only
/// updates metadata and keeps the contents. Nothing is ever created through a symlink: an entry
/// whose parent is a symlink is refused, and a symlink at an entry's own path is replaced.
/// Missing parent directories are created (0755, root). Ownership, modes (setuid, setgid and
/// sticky included), xattrs and mtimes are restored (atime = mtime); `trusted.overlay.*`
/// xattrs in the layer are ignored, since a layer must not steer the overlay, and so is an xattr
/// the target's file system does not support (ENOTSUP), as containerd does. `.wh.` files are
/// never created. Directory modes and mtimes are set last, so a directory's entry may also come
/// after its contents.
/// Errors (with the entry's name): invalid_argument (an absolute path, a path or hardlink
/// leaving `target`, a parent that is a symlink or not a directory, a hardlink to a missing
/// file or a directory, a corrupt stream), permission_denied / unavailable (writing `target`),
/// or whatever `in` returned. On error `target` is left partly written. Reentrant; nothing else
/// may write `target` meanwhile.
[[nodiscard]] sdk::Result<LayerStats> apply_layer(const ByteSource& in, const std::filesystem::path& target,
                                                  WhiteoutFormat format);

/// A sink that writes everything to `fd` (retrying short writes). Does not own or close `fd`.
/// Errors: unavailable, with the errno text.
[[nodiscard]] ByteSink fd_byte_sink(int fd);
/// A source that reads from `fd` until end of file. Does not own or close `fd`.
[[nodiscard]] ByteSource fd_byte_source(int fd);

}  // namespace dbuild::snapshot
