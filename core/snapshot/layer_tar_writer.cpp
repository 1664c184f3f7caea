// layer_tar_writer.cpp: tar entries from files with libarchive, in a reproducible form.
#include "snapshot/layer_tar_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/sysmacros.h>

#include <cerrno>

#include <fmt/format.h>

namespace dbuild::snapshot::detail {
namespace {

constexpr std::size_t kReadBufferSize = std::size_t{1} << 20;
// Large blocks mean few sink calls; the last block is not padded (bytes_in_last_block = 1), so
// the stream ends right after the two zero blocks, as Go-written layers do.
constexpr int kBlockSize = 1 << 20;

la_ssize_t write_callback(struct archive*, void* self, const void* buffer, size_t length) {
  if (!static_cast<TarWriter*>(self)->deliver(buffer, length)) return -1;
  return static_cast<la_ssize_t>(length);
}

locale_t utf8_locale() {
  static const locale_t locale = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return locale;
}

}  // namespace

Utf8LocaleScope::Utf8LocaleScope() {
  if (locale_t locale = utf8_locale()) previous_ = ::uselocale(locale);
}

Utf8LocaleScope::~Utf8LocaleScope() {
  if (previous_ != nullptr) ::uselocale(previous_);
}

TarWriter::TarWriter(const ByteSink& sink, const LayerWriteOptions& options) : sink_(sink), options_(options) {}

TarWriter::~TarWriter() {
  if (archive_ != nullptr) {
    // An abandoned stream is closed all the same (libarchive frees its buffers only on close),
    // but what the close writes goes nowhere: the sink must not receive a tidy-looking trailer.
    if (!closed_) {
      discarding_ = true;
      archive_write_close(archive_);
    }
    archive_write_free(archive_);
  }
  if (entry_ != nullptr) archive_entry_free(entry_);
}

sdk::Status TarWriter::open() {
  buffer_ = std::make_unique<char[]>(kReadBufferSize);
  archive_ = archive_write_new();
  entry_ = archive_entry_new();
  if (archive_ == nullptr || entry_ == nullptr)
    return sdk::Status::unavailable("cannot start a tar writer: out of memory");
  // Full pax, not libarchive's "restricted pax": the restricted writer drops nanosecond mtimes
  // unless an entry needs an extended header anyway. With no atime or ctime set, full pax too
  // writes an extended header only for what ustar cannot hold.
  if (archive_write_set_format_pax(archive_) != ARCHIVE_OK ||
      archive_write_set_options(archive_, "pax:xattrheader=SCHILY") != ARCHIVE_OK ||  // as Go and GNU tar write them
      archive_write_add_filter_none(archive_) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(archive_, kBlockSize) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(archive_, 1) != ARCHIVE_OK)
    return archive_error("cannot set up the tar writer", "");
  if (archive_write_open(archive_, this, nullptr, write_callback, nullptr) != ARCHIVE_OK)
    return archive_error("cannot start the tar stream", "");
  return sdk::Status::ok();
}

bool TarWriter::deliver(const void* data, std::size_t size) {
  if (discarding_) return true;
  if (!sink_status_) return false;
  auto status = sink_(data, size);
  if (!status) {
    sink_status_ = std::move(status);
    return false;
  }
  stats_.bytes += size;
  return true;
}

void TarWriter::set_times(const struct stat& stat) {
  auto seconds = static_cast<std::int64_t>(stat.st_mtim.tv_sec);
  long nanoseconds = stat.st_mtim.tv_nsec;
  const auto& epoch = options_.source_date_epoch;
  if (epoch && (seconds > *epoch || (seconds == *epoch && nanoseconds > 0))) {
    seconds = *epoch;
    nanoseconds = 0;
  }
  archive_entry_set_mtime(entry_, static_cast<time_t>(seconds), nanoseconds);
}

sdk::Status TarWriter::add(const std::string& tar_path, const FileInfo& info, const std::string& source) {
  const struct stat& stat = info.stat;
  if (S_ISSOCK(stat.st_mode)) return sdk::Status::ok();
  archive_entry_clear(entry_);
  archive_entry_set_mode(entry_, stat.st_mode);
  archive_entry_set_uid(entry_, stat.st_uid);
  archive_entry_set_gid(entry_, stat.st_gid);
  set_times(stat);
  bool hardlink = false;
  if (!S_ISDIR(stat.st_mode) && stat.st_nlink > 1) {
    auto [first, inserted] = first_links_.try_emplace({stat.st_dev, stat.st_ino}, tar_path);
    if (!inserted) {
      archive_entry_set_hardlink(entry_, first->second.c_str());
      archive_entry_set_size(entry_, 0);
      hardlink = true;
    }
  }
  if (!hardlink && S_ISREG(stat.st_mode)) archive_entry_set_size(entry_, stat.st_size);
  if (!hardlink && S_ISLNK(stat.st_mode)) archive_entry_set_symlink(entry_, info.link_target.c_str());
  if (!hardlink && (S_ISCHR(stat.st_mode) || S_ISBLK(stat.st_mode))) {
    archive_entry_set_rdevmajor(entry_, major(stat.st_rdev));
    archive_entry_set_rdevminor(entry_, minor(stat.st_rdev));
  }
  for (const auto& xattr : info.xattrs)
    archive_entry_xattr_add_entry(entry_, xattr.name.c_str(), xattr.value.data(), xattr.value.size());
  if (auto status = write_header(S_ISDIR(stat.st_mode) ? tar_path + "/" : tar_path); !status) return status;
  if (hardlink || !S_ISREG(stat.st_mode)) return sdk::Status::ok();
  return write_data(source, stat);
}

sdk::Status TarWriter::add_whiteout(const std::string& tar_path) {
  archive_entry_clear(entry_);
  archive_entry_set_mode(entry_, AE_IFREG);
  archive_entry_set_mtime(entry_, 0, 0);
  archive_entry_set_size(entry_, 0);
  return write_header(tar_path);
}

sdk::Status TarWriter::write_header(const std::string& tar_path) {
  archive_entry_set_pathname(entry_, tar_path.c_str());
  // ARCHIVE_WARN: a name that is not UTF-8, written as its raw bytes with hdrcharset=BINARY.
  int result = archive_write_header(archive_, entry_);
  if (result != ARCHIVE_OK && result != ARCHIVE_WARN) return archive_error("cannot write tar header", tar_path);
  ++stats_.entries;
  return sdk::Status::ok();
}

sdk::Status TarWriter::write_data(const std::string& source, const struct stat& stat) {
  Fd fd(::open(source.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return errno_status(errno, source, "cannot open");
  if (stat.st_size > static_cast<off_t>(kReadBufferSize)) ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  auto remaining = static_cast<std::uint64_t>(stat.st_size);
  for (;;) {
    ssize_t count = ::read(fd.get(), buffer_.get(), kReadBufferSize);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) return errno_status(errno, source, "cannot read");
    if (count == 0) break;
    if (static_cast<std::uint64_t>(count) > remaining)
      return sdk::Status::failed_precondition(fmt::format("\"{}\": the file grew while being written", source));
    if (archive_write_data(archive_, buffer_.get(), static_cast<std::size_t>(count)) != count)
      return archive_error("cannot write file data", source);
    remaining -= static_cast<std::uint64_t>(count);
  }
  if (remaining != 0)
    return sdk::Status::failed_precondition(fmt::format("\"{}\": the file shrank while being written", source));
  return sdk::Status::ok();
}

sdk::Status TarWriter::close() {
  if (closed_) return sdk::Status::ok();
  if (archive_write_close(archive_) != ARCHIVE_OK) return archive_error("cannot finish the tar stream", "");
  closed_ = true;
  return sdk::Status::ok();
}

sdk::Status TarWriter::archive_error(std::string_view what, std::string_view path) {
  if (!sink_status_) return sink_status_;
  const char* detail = archive_ != nullptr ? archive_error_string(archive_) : nullptr;
  if (path.empty()) return sdk::Status::internal(fmt::format("{}: {}", what, detail ? detail : "unknown error"));
  return sdk::Status::internal(fmt::format("\"{}\": {}: {}", path, what, detail ? detail : "unknown error"));
}

}  // namespace dbuild::snapshot::detail
