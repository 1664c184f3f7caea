// tar_exporter.cpp: libarchive reads the tree from disk (modes, owners, xattrs, devices,
// hardlinks linked up by its link resolver) and writes pax; entries are named relative to the
// root, as BuildKit's tar exporter names them ("bin/", "bin/sh").
#include "tar_exporter.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace dbuild::exporters {
namespace {

namespace fs = std::filesystem;

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

sdk::Status archive_error(archive* handle, const std::string& what) {
  const char* message = archive_error_string(handle);
  return sdk::Status::unavailable(what + ": " + (message ? message : "unknown error"));
}

sdk::Status copy_data(const char* path, archive* out) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return sdk::Status::unavailable(std::string("reading ") + path + ": " + std::strerror(errno));
  std::vector<char> buffer(1 << 20);
  sdk::Status status;
  while (true) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = sdk::Status::unavailable(std::string("reading ") + path + ": " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    if (archive_write_data(out, buffer.data(), static_cast<std::size_t>(n)) < 0) {
      status = archive_error(out, "writing tar");
      break;
    }
  }
  ::close(fd);
  return status;
}

sdk::Status write_entry(archive* out, archive_entry* entry, const char* source_path) {
  if (archive_write_header(out, entry) != ARCHIVE_OK) return archive_error(out, "writing tar");
  if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_size(entry) > 0) return copy_data(source_path, out);
  return sdk::Status::ok();
}

// Writes the tree at `root` with names under `prefix` ("" or "linux_amd64/").
sdk::Status write_tree(const fs::path& root, const std::string& prefix, archive* out,
                       archive_entry_linkresolver* links) {
  ArchivePtr disk(archive_read_disk_new(), archive_read_free);
  archive_read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
  if (archive_read_disk_open(disk.get(), root.c_str()) != ARCHIVE_OK) return archive_error(disk.get(), root.string());
  const std::string base = root.string();
  while (true) {
    archive_entry* entry = archive_entry_new();
    int result = archive_read_next_header2(disk.get(), entry);
    if (result == ARCHIVE_EOF) {
      archive_entry_free(entry);
      break;
    }
    if (result != ARCHIVE_OK && result != ARCHIVE_WARN) {
      archive_entry_free(entry);
      return archive_error(disk.get(), "reading " + base);
    }
    archive_read_disk_descend(disk.get());
    const std::string source_path = archive_entry_sourcepath(entry);
    std::string name = source_path.size() > base.size() ? source_path.substr(base.size() + 1) : "";
    if (name.empty()) {  // the root itself
      archive_entry_free(entry);
      continue;
    }
    if (archive_entry_filetype(entry) == AE_IFDIR) name += "/";
    archive_entry_set_pathname(entry, (prefix + name).c_str());
    archive_entry_set_uname(entry, nullptr);
    archive_entry_set_gname(entry, nullptr);
    archive_entry_unset_atime(entry);
    archive_entry_unset_ctime(entry);
    archive_entry* spare = nullptr;
    archive_entry_linkify(links, &entry, &spare);
    sdk::Status status;
    if (entry) status = write_entry(out, entry, source_path.c_str());
    archive_entry_free(entry);
    if (!status) return status;
  }
  return sdk::Status::ok();
}

std::string platform_dir(const sdk::Platform& platform) {
  std::string name = platform.os + "_" + platform.architecture;
  if (!platform.variant.empty()) name += "_" + platform.variant;
  return name + "/";
}

}  // namespace

sdk::Status TarExporter::check(const sdk::Attributes& attributes) {
  for (const auto& [key, value] : attributes)
    if (key != "dest") return sdk::Status::invalid_argument("unknown attribute \"" + key + "\" (the tar exporter takes dest)");
  auto dest = attributes.find("dest");
  if (dest == attributes.end() || dest->second.empty())
    return sdk::Status::invalid_argument("dest= is required (a file, or - for stdout)");
  if (dest->second == "-") {
    if (::isatty(1)) return sdk::Status::invalid_argument("dest=-: refusing to write a tarball to a terminal");
    return sdk::Status::ok();
  }
  const fs::path path = fs::absolute(dest->second);
  std::error_code error;
  if (fs::is_directory(path, error)) return sdk::Status::invalid_argument("dest " + path.string() + " is a directory");
  if (!fs::is_directory(path.parent_path(), error))
    return sdk::Status::invalid_argument("dest " + path.string() + ": directory " + path.parent_path().string() +
                                         " does not exist");
  if (::access(path.parent_path().c_str(), W_OK) != 0)
    return sdk::Status::permission_denied("dest " + path.string() + ": " + path.parent_path().string() +
                                          " is not writable");
  return sdk::Status::ok();
}

sdk::Result<sdk::ExportResponse> TarExporter::export_result(const sdk::Attributes& attributes,
                                                            sdk::ExportSource& source) {
  const std::string dest = attributes.at("dest");
  ArchivePtr out(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(out.get());
  int opened = dest == "-" ? archive_write_open_fd(out.get(), 1) : archive_write_open_filename(out.get(), dest.c_str());
  if (opened != ARCHIVE_OK) return archive_error(out.get(), "opening " + dest);
  std::unique_ptr<archive_entry_linkresolver, void (*)(archive_entry_linkresolver*)> links(
      archive_entry_linkresolver_new(), archive_entry_linkresolver_free);
  archive_entry_linkresolver_set_strategy(links.get(), archive_format(out.get()));
  const auto platforms = source.platforms();
  for (const auto& platform : platforms) {
    auto rootfs = source.rootfs(platform);
    if (!rootfs) return rootfs.status();
    if (auto status = write_tree(*rootfs, platforms.size() == 1 ? "" : platform_dir(platform), out.get(), links.get());
        !status)
      return status;
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK) return archive_error(out.get(), "closing " + dest);
  return sdk::ExportResponse{};
}

}  // namespace dbuild::exporters
