// layer_test_support.cpp: tree building, tree description and tar helpers for the layer tests.
#include "layer_test_support.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <catch2/catch.hpp>

#include "support/process.hpp"

namespace dbuild::snapshot::test {
namespace {

void require_ok(int result, const std::string& what) {
  INFO(what << ": " << std::strerror(errno));
  REQUIRE(result == 0);
}

std::string read_content(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::map<std::string, std::string> read_xattrs(const fs::path& path) {
  std::map<std::string, std::string> xattrs;
  std::string names(65536, '\0');
  ssize_t size = ::llistxattr(path.c_str(), names.data(), names.size());
  for (const char* name = names.data(); size > 0 && name < names.data() + size; name += std::strlen(name) + 1) {
    std::string value(65536, '\0');
    ssize_t length = ::lgetxattr(path.c_str(), name, value.data(), value.size());
    REQUIRE(length >= 0);
    value.resize(static_cast<std::size_t>(length));
    xattrs[name] = value;
  }
  return xattrs;
}

char type_of(mode_t mode) {
  if (S_ISREG(mode)) return 'f';
  if (S_ISDIR(mode)) return 'd';
  if (S_ISLNK(mode)) return 'l';
  if (S_ISCHR(mode)) return 'c';
  if (S_ISBLK(mode)) return 'b';
  if (S_ISFIFO(mode)) return 'p';
  return 's';
}

void describe_into(const fs::path& root, const std::string& prefix, std::map<std::string, FileState>& states,
                   std::map<std::pair<dev_t, ino_t>, std::string>& inodes) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root / prefix)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const std::string relative = prefix.empty() ? name : prefix + "/" + name;
    const fs::path path = root / relative;
    struct stat stat {};
    REQUIRE(::lstat(path.c_str(), &stat) == 0);
    FileState state;
    state.type = type_of(stat.st_mode);
    state.mode = stat.st_mode & 07777;
    state.uid = stat.st_uid;
    state.gid = stat.st_gid;
    state.mtime_seconds = stat.st_mtim.tv_sec;
    state.mtime_nanoseconds = stat.st_mtim.tv_nsec;
    if (state.type == 'f') state.content = read_content(path);
    if (state.type == 'l') state.link = fs::read_symlink(path).string();
    if (state.type == 'c' || state.type == 'b') state.device = stat.st_rdev;
    state.xattrs = read_xattrs(path);
    if (state.type != 'd' && stat.st_nlink > 1)
      state.link_group = inodes.try_emplace({stat.st_dev, stat.st_ino}, relative).first->second;
    states[relative] = state;
    if (state.type == 'd') describe_into(root, relative, states, inodes);
  }
}

la_ssize_t append_callback(struct archive*, void* data, const void* buffer, size_t length) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

mode_t archive_type(char type) {
  switch (type) {
    case 'd': return AE_IFDIR;
    case 'l': return AE_IFLNK;
    case 'c': return AE_IFCHR;
    case 'b': return AE_IFBLK;
    case 'p': return AE_IFIFO;
    default: return AE_IFREG;
  }
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "dbuild-snapshot-test-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code error;
  fs::remove_all(path_, error);
}

void write_file(const fs::path& path, std::string_view content, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    REQUIRE(out.good());
  }
  require_ok(::chmod(path.c_str(), mode), "chmod " + path.string());
}

void make_directory(const fs::path& path, mode_t mode) {
  require_ok(::mkdir(path.c_str(), mode), "mkdir " + path.string());
  require_ok(::chmod(path.c_str(), mode), "chmod " + path.string());
}

void make_symlink(const std::string& target, const fs::path& path) {
  require_ok(::symlink(target.c_str(), path.c_str()), "symlink " + path.string());
}

void make_node(const fs::path& path, mode_t type_and_mode, dev_t device) {
  require_ok(::mknod(path.c_str(), type_and_mode, device), "mknod " + path.string());
  require_ok(::chmod(path.c_str(), type_and_mode & 07777), "chmod " + path.string());
}

void make_whiteout(const fs::path& path) { make_node(path, S_IFCHR, makedev(0, 0)); }

void set_owner(const fs::path& path, uid_t uid, gid_t gid) {
  require_ok(::lchown(path.c_str(), uid, gid), "lchown " + path.string());
}

void set_xattr(const fs::path& path, const std::string& name, const std::string& value) {
  require_ok(::lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0), "setxattr " + name);
}

void set_mtime(const fs::path& path, std::int64_t seconds, long nanoseconds) {
  const timespec times[2] = {{seconds, nanoseconds}, {seconds, nanoseconds}};
  require_ok(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), "utimensat " + path.string());
}

std::ostream& operator<<(std::ostream& out, const FileState& state) {
  out << state.type << " mode=" << std::oct << state.mode << std::dec << " owner=" << state.uid << ":" << state.gid
      << " mtime=" << state.mtime_seconds << "." << state.mtime_nanoseconds << " size=" << state.content.size()
      << " link=" << state.link << " device=" << major(state.device) << ":" << minor(state.device)
      << " group=" << state.link_group << " xattrs={";
  for (const auto& [name, value] : state.xattrs) out << name << "=" << value.size() << "B ";
  return out << "}";
}

std::map<std::string, FileState> describe_tree(const fs::path& root) {
  std::map<std::string, FileState> states;
  std::map<std::pair<dev_t, ino_t>, std::string> inodes;
  describe_into(root, "", states, inodes);
  return states;
}

std::string format_tree(const TreeState& tree) {
  std::ostringstream out;
  for (const auto& [path, state] : tree) out << path << ": " << state << "\n";
  return out.str();
}

std::string write_upper(const fs::path& upper, const LayerWriteOptions& options) {
  std::string bytes;
  auto stats = write_layer_from_upper(
      upper,
      [&bytes](const void* data, std::size_t size) {
        return bytes.append(static_cast<const char*>(data), size), sdk::Status::ok();
      },
      options);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  CHECK(stats->bytes == bytes.size());
  return bytes;
}

std::string write_diff(const fs::path& lower, const fs::path& upper, const LayerWriteOptions& options) {
  std::string bytes;
  auto stats = write_layer_from_diff(
      lower, upper,
      [&bytes](const void* data, std::size_t size) {
        return bytes.append(static_cast<const char*>(data), size), sdk::Status::ok();
      },
      options);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  CHECK(stats->bytes == bytes.size());
  return bytes;
}

ByteSource string_source(const std::string& bytes, std::size_t piece) {
  auto offset = std::make_shared<std::size_t>(0);
  return [&bytes, piece, offset](void* buffer, std::size_t capacity) -> sdk::Result<std::size_t> {
    const std::size_t count = std::min({piece, capacity, bytes.size() - *offset});
    std::memcpy(buffer, bytes.data() + *offset, count);
    *offset += count;
    return count;
  };
}

sdk::Result<LayerStats> apply_bytes(const std::string& bytes, const fs::path& target, WhiteoutFormat format) {
  return apply_layer(string_source(bytes), target, format);
}

std::string make_tar(const std::vector<TarEntry>& entries, Compression compression) {
  std::string bytes;
  struct archive* archive = archive_write_new();
  REQUIRE(archive_write_set_format_pax(archive) == ARCHIVE_OK);
  if (compression == Compression::Gzip) REQUIRE(archive_write_add_filter_gzip(archive) == ARCHIVE_OK);
  if (compression == Compression::Zstd) REQUIRE(archive_write_add_filter_zstd(archive) >= ARCHIVE_WARN);
  // Unpadded, as layers are: zstd readers choke on zeros after the frame.
  REQUIRE(archive_write_set_bytes_in_last_block(archive, 1) == ARCHIVE_OK);
  REQUIRE(archive_write_open(archive, &bytes, nullptr, append_callback, nullptr) == ARCHIVE_OK);
  struct archive_entry* entry = archive_entry_new();
  for (const auto& spec : entries) {
    archive_entry_clear(entry);
    archive_entry_set_pathname(entry, spec.path.c_str());
    archive_entry_set_mode(entry, archive_type(spec.type) | spec.mode);
    archive_entry_set_uid(entry, spec.uid);
    archive_entry_set_gid(entry, spec.gid);
    archive_entry_set_mtime(entry, spec.mtime, 0);
    if (spec.type == 'f') archive_entry_set_size(entry, static_cast<la_int64_t>(spec.content.size()));
    if (spec.type == 'l') archive_entry_set_symlink(entry, spec.link.c_str());
    if (spec.type == 'h') archive_entry_set_hardlink(entry, spec.link.c_str());
    for (const auto& [name, value] : spec.xattrs)
      archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
    REQUIRE(archive_write_header(archive, entry) == ARCHIVE_OK);
    if (spec.type == 'f' && !spec.content.empty())
      REQUIRE(archive_write_data(archive, spec.content.data(), spec.content.size()) ==
              static_cast<la_ssize_t>(spec.content.size()));
  }
  archive_entry_free(entry);
  REQUIRE(archive_write_close(archive) == ARCHIVE_OK);
  archive_write_free(archive);
  return bytes;
}

std::vector<std::string> tar_names(const std::string& bytes) {
  struct archive* archive = archive_read_new();
  archive_read_support_format_tar(archive);
  archive_read_support_format_empty(archive);
  REQUIRE(archive_read_open_memory(archive, bytes.data(), bytes.size()) == ARCHIVE_OK);
  std::vector<std::string> names;
  struct archive_entry* entry = nullptr;
  while (archive_read_next_header(archive, &entry) == ARCHIVE_OK) names.emplace_back(archive_entry_pathname(entry));
  archive_read_free(archive);
  return names;
}

std::vector<std::string> gnu_tar_listing(const std::string& bytes) {
  TempDir directory;
  const fs::path file = directory / "layer.tar";
  write_file(file, bytes);
  dbuild::test::ProcessOptions options;
  options.environment["TZ"] = "UTC";
  options.environment["LC_ALL"] = "C.UTF-8";  // names as they are, not octal escapes
  auto result = dbuild::test::run_process({"tar", "--numeric-owner", "--full-time", "-tvf", file.string()}, options);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return dbuild::test::lines_of(result.out);
}

}  // namespace dbuild::snapshot::test
