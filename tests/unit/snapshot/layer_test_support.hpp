// layer_test_support.hpp: building trees and tars for the layer tests, and describing a tree so
// that two trees can be compared entry by entry.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "snapshot/layer_tar.hpp"

namespace dbuild::snapshot::test {

namespace fs = std::filesystem;

/// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }
  [[nodiscard]] fs::path operator/(std::string_view name) const { return path_ / name; }

 private:
  fs::path path_;
};

// Tree building; each REQUIREs success. Parents must exist.
void write_file(const fs::path& path, std::string_view content, mode_t mode = 0644);
void make_directory(const fs::path& path, mode_t mode = 0755);
void make_symlink(const std::string& target, const fs::path& path);
void make_node(const fs::path& path, mode_t type_and_mode, dev_t device = 0);
void make_whiteout(const fs::path& path);  // overlay's: a 0:0 character device
void set_owner(const fs::path& path, uid_t uid, gid_t gid);
void set_xattr(const fs::path& path, const std::string& name, const std::string& value);
void set_mtime(const fs::path& path, std::int64_t seconds, long nanoseconds);

/// One file as a layer should carry it. Directory mtimes are left out where the caller asks,
/// and `link_group` is the first path (in path order) sharing the inode, for hardlinks.
struct FileState {
  char type = '?';  // f d l c b p s
  mode_t mode = 0;  // permission bits incl. setuid, setgid, sticky
  uid_t uid = 0;
  gid_t gid = 0;
  std::int64_t mtime_seconds = 0;
  long mtime_nanoseconds = 0;
  std::string content{};  // regular files
  std::string link{};     // symlinks
  dev_t device = 0;       // devices
  std::map<std::string, std::string> xattrs{};
  std::string link_group{};
  friend bool operator==(const FileState&, const FileState&) = default;
};
std::ostream& operator<<(std::ostream& out, const FileState& state);

using TreeState = std::map<std::string, FileState>;
/// Every path under `root` (relative, "a/b"), described. trusted.overlay.* xattrs included.
TreeState describe_tree(const fs::path& root);
/// One line per path, for readable failures: CHECK(format_tree(a) == format_tree(b)).
std::string format_tree(const TreeState& tree);

/// Layer bytes; these REQUIRE success.
std::string write_upper(const fs::path& upper, const LayerWriteOptions& options = {});
std::string write_diff(const fs::path& lower, const fs::path& upper, const LayerWriteOptions& options = {});
/// Feeds `bytes` in small pieces, so that reads cross buffer boundaries.
ByteSource string_source(const std::string& bytes, std::size_t piece = 7777);
sdk::Result<LayerStats> apply_bytes(const std::string& bytes, const fs::path& target, WhiteoutFormat format);

/// A hand-made tar entry, for layers our writer would never produce.
struct TarEntry {
  std::string path{};
  char type = 'f';        // f d l h (hardlink) c b p
  std::string content{};  // regular files
  std::string link{};     // symlink or hardlink target
  mode_t mode = 0644;
  std::int64_t mtime = 1'600'000'000;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<std::pair<std::string, std::string>> xattrs{};
};
enum class Compression { None, Gzip, Zstd };
std::string make_tar(const std::vector<TarEntry>& entries, Compression compression = Compression::None);

/// The entry names of a tar, in order, read with libarchive.
std::vector<std::string> tar_names(const std::string& bytes);
/// `tar -tvf` (GNU tar) of the bytes, with --numeric-owner and --full-time; REQUIREs success.
std::vector<std::string> gnu_tar_listing(const std::string& bytes);

}  // namespace dbuild::snapshot::test
