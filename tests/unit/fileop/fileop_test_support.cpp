// fileop_test_support.cpp: tree building and description with plain system calls (never the
// code under test), GNU find/diff/stat listings, and libarchive-written tars.
#include "fileop_test_support.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "support/process.hpp"

namespace dbuild::fileop::test {
namespace {

void make_parents(const fs::path& path) {
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  REQUIRE_FALSE(error);
}

char type_of(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return 'f';
    case S_IFDIR: return 'd';
    case S_IFLNK: return 'l';
    case S_IFCHR: return 'c';
    case S_IFBLK: return 'b';
    case S_IFIFO: return 'p';
    case S_IFSOCK: return 's';
    default: return '?';
  }
}

std::map<std::string, std::string> xattrs_of(const fs::path& path) {
  std::map<std::string, std::string> result;
  char names[4096];
  ssize_t size = ::llistxattr(path.c_str(), names, sizeof names);
  for (ssize_t offset = 0; size > 0 && offset < size; offset += static_cast<ssize_t>(std::strlen(names + offset)) + 1) {
    char value[4096];
    ssize_t length = ::lgetxattr(path.c_str(), names + offset, value, sizeof value);
    if (length >= 0) result[names + offset] = std::string(value, static_cast<std::size_t>(length));
  }
  return result;
}

std::string sorted_lines(const std::string& text) {
  auto lines = dbuild::test::lines_of(text);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

}  // namespace

void write_file(const fs::path& path, std::string_view content, mode_t mode) {
  make_parents(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

void make_dir(const fs::path& path, mode_t mode) {
  make_parents(path);
  REQUIRE((::mkdir(path.c_str(), mode) == 0 || errno == EEXIST));
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

void make_symlink(const std::string& target, const fs::path& path) {
  make_parents(path);
  REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
}

void make_node(const fs::path& path, mode_t type_and_mode, dev_t device) {
  make_parents(path);
  REQUIRE(::mknod(path.c_str(), type_and_mode, device) == 0);
  REQUIRE(::chmod(path.c_str(), type_and_mode & 07777) == 0);
}

void make_hardlink(const fs::path& existing, const fs::path& path) {
  make_parents(path);
  REQUIRE(::link(existing.c_str(), path.c_str()) == 0);
}

void set_owner(const fs::path& path, uid_t uid, gid_t gid) { REQUIRE(::lchown(path.c_str(), uid, gid) == 0); }

void set_mode(const fs::path& path, mode_t mode) { REQUIRE(::chmod(path.c_str(), mode) == 0); }

void set_mtime(const fs::path& path, std::int64_t seconds, long nanoseconds) {
  const timespec times[2] = {{static_cast<time_t>(seconds), nanoseconds}, {static_cast<time_t>(seconds), nanoseconds}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

void set_xattr(const fs::path& path, const std::string& name, const std::string& value) {
  REQUIRE(::lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) == 0);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool path_exists(const fs::path& path) {
  struct stat info;
  return ::lstat(path.c_str(), &info) == 0;
}

std::ostream& operator<<(std::ostream& out, const Entry& entry) {
  out << entry.type << " " << std::oct << entry.mode << std::dec << " " << entry.uid << ":" << entry.gid << " mtime "
      << entry.mtime << "." << entry.mtime_nanoseconds;
  if (entry.type == 'f') out << " \"" << entry.content << "\"";
  if (entry.type == 'l') out << " -> " << entry.link;
  for (const auto& [name, value] : entry.xattrs) out << " " << name << "=" << value;
  return out;
}

Entry describe(const fs::path& path) {
  struct stat info;
  REQUIRE(::lstat(path.c_str(), &info) == 0);
  Entry entry;
  entry.type = type_of(info.st_mode);
  entry.mode = info.st_mode & 07777;
  entry.uid = info.st_uid;
  entry.gid = info.st_gid;
  entry.mtime = info.st_mtim.tv_sec;
  entry.mtime_nanoseconds = info.st_mtim.tv_nsec;
  entry.device = info.st_rdev;
  entry.inode = info.st_ino;
  entry.links = info.st_nlink;
  if (entry.type == 'f') entry.content = read_file(path);
  if (entry.type == 'l') entry.link = fs::read_symlink(path).string();
  entry.xattrs = xattrs_of(path);
  return entry;
}

std::map<std::string, Entry> describe_tree(const fs::path& root) {
  std::map<std::string, Entry> tree;
  for (const auto& path : paths_of(root)) tree[path] = describe(root / path);
  return tree;
}

std::vector<std::string> paths_of(const fs::path& root) {
  std::vector<std::string> paths;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
    paths.push_back(it->path().lexically_relative(root).string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::string find_listing(const fs::path& root) {
  auto result = dbuild::test::run_process({"find", ".", "-mindepth", "1", "-printf", "%P %y %m %U %G %s %T@ %l %n\\n"},
                                          {.working_dir = root.string()});
  REQUIRE(result.exit_code == 0);
  return sorted_lines(result.out);
}

std::string diff_trees(const fs::path& left, const fs::path& right) {
  auto result = dbuild::test::run_process({"diff", "-r", "--no-dereference", left.string(), right.string()});
  // diff cannot compare FIFOs or devices and says so even when both sides have the same kind
  // ("File a/p is a fifo while file b/p is a fifo"); find_listing compares those.
  std::string differences;
  for (const auto& line : dbuild::test::lines_of(result.out + result.err)) {
    auto first = line.find(" is a ");
    auto second = line.find(" while file ");
    if (line.rfind("File ", 0) == 0 && first != std::string::npos && second != std::string::npos) {
      auto kind = line.substr(first, second - first);
      if (line.size() >= kind.size() && line.compare(line.size() - kind.size(), kind.size(), kind) == 0) continue;
    }
    differences += line + "\n";
  }
  return differences;
}

std::string stat_line(const fs::path& path) {
  auto result = dbuild::test::run_process({"stat", "-c", "%a %u %g %s %Y %N", path.string()});
  REQUIRE(result.exit_code == 0);
  return result.out;
}

sdk::Status run_copy(const fs::path& source, const fs::path& dest, const sdk::CopyAction& action,
                     const CopySource& options, const CopyContext& context) {
  CopySource copy_source = options;
  copy_source.root = source;
  return fileop::copy(copy_source, dest, action, context);
}

std::string make_tar(const std::vector<TarEntry>& entries, Compression compression) {
  struct archive* writer = archive_write_new();
  archive_write_set_format_pax_restricted(writer);
  switch (compression) {
    case Compression::None: break;
    case Compression::Gzip: archive_write_add_filter_gzip(writer); break;
    case Compression::Bzip2: archive_write_add_filter_bzip2(writer); break;
    case Compression::Xz: archive_write_add_filter_xz(writer); break;
    case Compression::Zstd: archive_write_add_filter_zstd(writer); break;
  }
  std::string bytes(64u << 20, '\0');
  std::size_t used = 0;
  REQUIRE(archive_write_open_memory(writer, bytes.data(), bytes.size(), &used) == ARCHIVE_OK);
  for (const auto& spec : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, spec.path.c_str());
    archive_entry_set_perm(entry, spec.mode);
    archive_entry_set_mtime(entry, spec.mtime, 0);
    archive_entry_set_uid(entry, spec.uid);
    archive_entry_set_gid(entry, spec.gid);
    for (const auto& [name, value] : spec.xattrs)
      archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
    switch (spec.type) {
      case 'd': archive_entry_set_filetype(entry, AE_IFDIR); break;
      case 'l':
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_symlink(entry, spec.link.c_str());
        break;
      case 'h':
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, spec.link.c_str());
        break;
      case 'c':
        archive_entry_set_filetype(entry, AE_IFCHR);
        archive_entry_set_rdev(entry, spec.device);
        break;
      case 'b':
        archive_entry_set_filetype(entry, AE_IFBLK);
        archive_entry_set_rdev(entry, spec.device);
        break;
      case 'p': archive_entry_set_filetype(entry, AE_IFIFO); break;
      default:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, static_cast<la_int64_t>(spec.content.size()));
    }
    REQUIRE(archive_write_header(writer, entry) == ARCHIVE_OK);
    if (spec.type == 'f' && !spec.content.empty())
      REQUIRE(archive_write_data(writer, spec.content.data(), spec.content.size()) ==
              static_cast<la_ssize_t>(spec.content.size()));
    archive_entry_free(entry);
  }
  REQUIRE(archive_write_close(writer) == ARCHIVE_OK);
  archive_write_free(writer);
  bytes.resize(used);
  return bytes;
}

}  // namespace dbuild::fileop::test
