// unpack.cpp: archive detection and extraction with libarchive, entry by entry through
// descriptors beneath the extraction directory.
#include "fileop/unpack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>

#include <fmt/format.h>

#include "fileop/paths.hpp"

namespace dbuild::fileop::detail {
namespace {

struct ArchiveFree {
  void operator()(struct archive* archive) const { archive_read_free(archive); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

// The decompressors BuildKit's DecompressStream knows, and tar in any of its dialects.
ArchivePtr open_reader(int fd) {
  ArchivePtr archive(archive_read_new());
  if (!archive) return nullptr;
  archive_read_support_filter_gzip(archive.get());
  archive_read_support_filter_bzip2(archive.get());
  archive_read_support_filter_xz(archive.get());
  archive_read_support_filter_zstd(archive.get());
  archive_read_support_format_tar(archive.get());
  if (archive_read_open_fd(archive.get(), fd, 64 * 1024) != ARCHIVE_OK) return nullptr;
  return archive;
}

bool header_ok(int result) { return result == ARCHIVE_OK || result == ARCHIVE_WARN; }

// BuildKit's cleanRootTarPath: leading slashes dropped, cleaned; "" for the root itself.
sdk::Result<std::string> clean_tar_path(const char* raw) {
  std::string_view name = raw;
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  std::string cleaned = go_clean(name);
  if (cleaned == ".") return std::string();
  if (cleaned == ".." || cleaned.rfind("../", 0) == 0)
    return sdk::Status::invalid_argument(fmt::format("archive path \"{}\" is outside extraction root", raw));
  return cleaned;
}

struct DeferredDirectory {
  std::string relative;
  mode_t mode = 0;
  std::array<timespec, 2> times{};
};

class Extractor {
 public:
  Extractor(std::filesystem::path root, int root_fd, const std::optional<Owner>& chown, const CopyContext& context)
      : root_(std::move(root)), root_fd_(root_fd), chown_(chown), context_(context) {}

  sdk::Status apply(struct archive* archive, struct archive_entry* entry);
  sdk::Status finish();

 private:
  sdk::Result<int> parent_fd(const std::string& relative);
  sdk::Status write_data(struct archive* archive, int fd, struct archive_entry* entry, const std::string& display);
  sdk::Status apply_hardlink(const char* link, int parent, const std::string& name, struct archive_entry* entry,
                             const std::string& display);
  sdk::Status set_metadata(int parent, const std::string& name, struct archive_entry* entry,
                           const std::string& display);
  [[nodiscard]] Owner owner_of(struct archive_entry* entry) const {
    if (chown_) return *chown_;
    return {static_cast<uid_t>(archive_entry_uid(entry)), static_cast<gid_t>(archive_entry_gid(entry))};
  }
  static std::array<timespec, 2> times_of(struct archive_entry* entry);

  std::filesystem::path root_;
  int root_fd_;
  const std::optional<Owner>& chown_;
  const CopyContext& context_;
  // Consecutive entries mostly share a directory: keep the last one open.
  std::optional<std::string> cached_parent_;
  os::UniqueFd cached_parent_fd_;
  std::vector<DeferredDirectory> deferred_;
};

std::array<timespec, 2> Extractor::times_of(struct archive_entry* entry) {
  timespec modified{};
  if (archive_entry_mtime_is_set(entry) && archive_entry_mtime(entry) >= 0)
    modified = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
  timespec accessed = modified;  // BuildKit: the later of atime and mtime
  if (archive_entry_atime_is_set(entry) && archive_entry_atime(entry) > modified.tv_sec)
    accessed = {archive_entry_atime(entry), archive_entry_atime_nsec(entry)};
  return {accessed, modified};
}

sdk::Result<int> Extractor::parent_fd(const std::string& relative) {
  if (cached_parent_ == relative) return cached_parent_fd_.get();
  // Parents the archive does not list are made 0755 and owned by root, as BuildKit does.
  auto fd = mkdir_all(root_fd_, relative, 0755, Owner{}, nullptr);
  if (!fd) return fd.status();
  cached_parent_ = relative;
  cached_parent_fd_ = std::move(*fd);
  return cached_parent_fd_.get();
}

sdk::Status Extractor::apply(struct archive* archive, struct archive_entry* entry) {
  if (context_.stop.stop_requested()) return sdk::Status::cancelled("unpacking cancelled");
  const char* raw = archive_entry_pathname(entry);
  if (raw == nullptr) return sdk::Status::invalid_argument("archive entry without a readable name");
  auto name = clean_tar_path(raw);
  if (!name) return name.status();
  if (name->empty()) return sdk::Status::ok();
  const char* link = archive_entry_hardlink(entry);
  const mode_t type = archive_entry_filetype(entry);
  const bool directory = type == AE_IFDIR && link == nullptr;
  // Symlinks already extracted are followed inside the extraction directory, never out of it.
  auto resolved = resolve_in(root_, *name, directory ? os::FollowFinal::Yes : os::FollowFinal::No);
  if (!resolved) return resolved.status();
  if (resolved->relative.empty()) return sdk::Status::ok();
  const std::string display = "/" + *name;
  const std::string base = name_of(resolved->relative);
  auto parent = parent_fd(parent_of(resolved->relative));
  if (!parent) return parent.status();
  struct stat existing;
  if (::fstatat(*parent, base.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 &&
      !(directory && S_ISDIR(existing.st_mode))) {
    if (auto status = remove_tree_at(*parent, base, display); !status) return status;
    cached_parent_.reset();  // the removed tree may have held the cached directory
  }
  if (link != nullptr) return apply_hardlink(link, *parent, base, entry, display);
  switch (type) {
    case AE_IFDIR: {
      if (::mkdirat(*parent, base.c_str(), 0700) != 0 && errno != EEXIST) return errno_status(errno, "mkdir", display);
      const Owner owner = owner_of(entry);
      if (::fchownat(*parent, base.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) != 0)
        return errno_status(errno, "chown", display);
      // Mode and times wait for the end: entries written inside would change the times, and a
      // read-only directory must stay writable until then.
      deferred_.push_back(
          {resolved->relative, static_cast<mode_t>(archive_entry_mode(entry) & 07777), times_of(entry)});
      return sdk::Status::ok();
    }
    case AE_IFREG: {
      os::UniqueFd fd(::openat(*parent, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!fd.valid()) return errno_status(errno, "create", display);
      if (auto status = write_data(archive, fd.get(), entry, display); !status) return status;
      return set_metadata(*parent, base, entry, display);
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(entry);
      if (::symlinkat(target ? target : "", *parent, base.c_str()) != 0) return errno_status(errno, "symlink", display);
      return set_metadata(*parent, base, entry, display);
    }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      if (::mknodat(*parent, base.c_str(), type | 0600, archive_entry_rdev(entry)) != 0)
        return errno_status(errno, "mknod", display);
      return set_metadata(*parent, base, entry, display);
    default: return sdk::Status::invalid_argument(fmt::format("unsupported tar entry \"{}\" type {:o}", raw, type));
  }
}

sdk::Status Extractor::apply_hardlink(const char* link, int parent, const std::string& name,
                                      struct archive_entry* entry, const std::string& display) {
  auto cleaned = clean_tar_path(link);
  if (!cleaned) return cleaned.status();
  if (cleaned->empty())
    return sdk::Status::invalid_argument(
        fmt::format("archive hardlink \"{}\" targets extraction root", display.substr(1)));
  auto target = resolve_in(root_, *cleaned, os::FollowFinal::No);
  if (!target) return target.status();
  if (::linkat(root_fd_, target->relative.c_str(), parent, name.c_str(), 0) != 0)
    return errno_status(errno, "link", display);
  const Owner owner = owner_of(entry);
  if (::fchownat(parent, name.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) != 0)
    return errno_status(errno, "chown", display);
  struct stat info;
  if (::fstatat(parent, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0 || S_ISLNK(info.st_mode))
    return sdk::Status::ok();
  if (::fchmodat(parent, name.c_str(), archive_entry_mode(entry) & 07777, 0) != 0)
    return errno_status(errno, "chmod", display);
  const auto times = times_of(entry);
  if (::utimensat(parent, name.c_str(), times.data(), AT_SYMLINK_NOFOLLOW) != 0)
    return errno_status(errno, "utime", display);
  return sdk::Status::ok();
}

// Blocks come with their offsets, so that a sparse entry keeps its holes.
sdk::Status Extractor::write_data(struct archive* archive, int fd, struct archive_entry* entry,
                                  const std::string& display) {
  la_int64_t end = 0;
  for (;;) {
    if (context_.stop.stop_requested()) return sdk::Status::cancelled("unpacking cancelled");
    const void* block = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    const int result = archive_read_data_block(archive, &block, &size, &offset);
    if (result == ARCHIVE_EOF) break;
    if (result != ARCHIVE_OK && result != ARCHIVE_WARN)
      return sdk::Status::invalid_argument(
          fmt::format("{}: reading archive: {}", display, archive_error_string(archive)));
    const char* bytes = static_cast<const char*>(block);
    for (std::size_t done = 0; done < size;) {
      ssize_t written = ::pwrite(fd, bytes + done, size - done, static_cast<off_t>(offset) + static_cast<off_t>(done));
      if (written < 0 && errno == EINTR) continue;
      if (written < 0) return errno_status(errno, "write", display);
      done += static_cast<std::size_t>(written);
    }
    end = std::max<la_int64_t>(end, offset + static_cast<la_int64_t>(size));
    if (context_.on_bytes && size > 0) context_.on_bytes(size);
  }
  if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > end &&
      ::ftruncate(fd, static_cast<off_t>(archive_entry_size(entry))) != 0)
    return errno_status(errno, "truncate", display);
  return sdk::Status::ok();
}

// Owner before mode (chown clears setuid), xattrs after the owner (chown drops capabilities).
sdk::Status Extractor::set_metadata(int parent, const std::string& name, struct archive_entry* entry,
                                    const std::string& display) {
  const Owner owner = owner_of(entry);
  if (::fchownat(parent, name.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) != 0)
    return errno_status(errno, "chown", display);
  if (archive_entry_filetype(entry) != AE_IFLNK &&
      ::fchmodat(parent, name.c_str(), archive_entry_mode(entry) & 07777, 0) != 0)
    return errno_status(errno, "chmod", display);
  std::vector<Xattr> xattrs;
  archive_entry_xattr_reset(entry);
  const char* key = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  while (archive_entry_xattr_next(entry, &key, &value, &size) == ARCHIVE_OK) {
    if (std::string_view(key).rfind("trusted.overlay.", 0) == 0) continue;
    xattrs.push_back({key, std::string(static_cast<const char*>(value), size)});
  }
  write_xattrs(xattrs, -1, parent, name);
  const auto times = times_of(entry);
  if (::utimensat(parent, name.c_str(), times.data(), AT_SYMLINK_NOFOLLOW) != 0)
    return errno_status(errno, "utime", display);
  return sdk::Status::ok();
}

sdk::Status Extractor::finish() {
  for (auto it = deferred_.rbegin(); it != deferred_.rend(); ++it) {
    auto fd = open_beneath(root_fd_, it->relative, O_RDONLY | O_DIRECTORY);
    if (!fd) continue;  // replaced by a later entry
    if (::fchmod(fd->get(), it->mode) != 0) return errno_status(errno, "chmod", "/" + it->relative);
    if (::futimens(fd->get(), it->times.data()) != 0) return errno_status(errno, "utime", "/" + it->relative);
  }
  return sdk::Status::ok();
}

}  // namespace

sdk::Result<bool> unpack_if_archive(const Tree& source, const std::string& source_relative, const UnpackTarget& target,
                                    const CopyContext& context) {
  auto fd = open_beneath(source.fd.get(), source_relative, O_RDONLY);
  if (!fd) return fd.status();
  ArchivePtr archive = open_reader(fd->get());
  struct archive_entry* entry = nullptr;
  if (!archive || !header_ok(archive_read_next_header(archive.get(), &entry))) return false;
  auto dest = mkdir_all(target.dest_root_fd, target.dest_relative, 0755, target.chown, target.created);
  if (!dest) return dest.status();
  Extractor extractor(target.dest_root / target.dest_relative, dest->get(), target.chown, context);
  for (int result = ARCHIVE_OK;;) {
    if (auto status = extractor.apply(archive.get(), entry); !status) return status;
    result = archive_read_next_header(archive.get(), &entry);
    if (result == ARCHIVE_EOF) break;
    if (!header_ok(result))
      return sdk::Status::invalid_argument(
          fmt::format("\"/{}\": reading archive: {}", source_relative, archive_error_string(archive.get())));
  }
  if (auto status = extractor.finish(); !status) return status;
  return true;
}

}  // namespace dbuild::fileop::detail
