// fileop_test_support.hpp: building small trees for the file action tests, describing a tree
// entry by entry, listing it with GNU find for independent checks, and hand-made tars.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/definition.hpp>

#include "fileop/copy.hpp"
#include "support/temp_dir.hpp"

namespace dbuild::fileop::test {

namespace fs = std::filesystem;

// Tree building; each REQUIREs success and creates missing parents (0755).
void write_file(const fs::path& path, std::string_view content, mode_t mode = 0644);
void make_dir(const fs::path& path, mode_t mode = 0755);
void make_symlink(const std::string& target, const fs::path& path);
void make_node(const fs::path& path, mode_t type_and_mode, dev_t device = 0);
void make_hardlink(const fs::path& existing, const fs::path& path);
void set_owner(const fs::path& path, uid_t uid, gid_t gid);
void set_mode(const fs::path& path, mode_t mode);
void set_mtime(const fs::path& path, std::int64_t seconds, long nanoseconds = 0);
void set_xattr(const fs::path& path, const std::string& name, const std::string& value);
[[nodiscard]] std::string read_file(const fs::path& path);
[[nodiscard]] bool path_exists(const fs::path& path);  // without following a final symlink

/// One entry as the tests look at it.
struct Entry {
  char type = '?';  // f d l c b p s
  mode_t mode = 0;  // 07777 bits
  uid_t uid = 0;
  gid_t gid = 0;
  std::int64_t mtime = 0;
  long mtime_nanoseconds = 0;
  std::string content{};  // regular files
  std::string link{};     // symlinks
  dev_t device = 0;
  std::map<std::string, std::string> xattrs{};
  ino_t inode = 0;
  nlink_t links = 0;
};
std::ostream& operator<<(std::ostream& out, const Entry& entry);

/// Every path under `root`, relative ("a/b"), described without following symlinks.
[[nodiscard]] std::map<std::string, Entry> describe_tree(const fs::path& root);
/// One entry, described without following a final symlink.
[[nodiscard]] Entry describe(const fs::path& path);
/// The relative paths under `root`, sorted.
[[nodiscard]] std::vector<std::string> paths_of(const fs::path& root);

/// GNU find's view of the tree below `root` ("%P %y %m %U %G %s %T@ %l %n" per entry, sorted),
/// and `diff -r --no-dereference` of two trees: checks that do not go through our code.
[[nodiscard]] std::string find_listing(const fs::path& root);
[[nodiscard]] std::string diff_trees(const fs::path& left, const fs::path& right);
/// `stat -c '%a %u %g %s %Y %N'` of one path, relative to `root`'s parent-less form.
[[nodiscard]] std::string stat_line(const fs::path& path);

/// A source tree and a destination tree in temporary directories.
struct Trees {
  dbuild::test::TempDir source_dir;
  dbuild::test::TempDir dest_dir;
  [[nodiscard]] const fs::path& src() const { return source_dir.path(); }
  [[nodiscard]] const fs::path& dest() const { return dest_dir.path(); }
};

/// Runs fileop::copy from `source` (snapshot semantics unless `reset_ownership`).
sdk::Status run_copy(const fs::path& source, const fs::path& dest, const sdk::CopyAction& action,
                     const CopySource& options = {}, const CopyContext& context = {});

/// A hand-made tar entry, for archives tar(1) would not write.
struct TarEntry {
  std::string path{};
  char type = 'f';        // f d l h (hardlink) c b p
  std::string content{};  // regular files
  std::string link{};     // symlink or hardlink target
  mode_t mode = 0644;
  std::int64_t mtime = 1'600'000'000;
  uid_t uid = 0;
  gid_t gid = 0;
  dev_t device = 0;
  std::vector<std::pair<std::string, std::string>> xattrs{};
};
enum class Compression { None, Gzip, Bzip2, Xz, Zstd };
[[nodiscard]] std::string make_tar(const std::vector<TarEntry>& entries, Compression compression = Compression::None);

}  // namespace dbuild::fileop::test
