// layer_tar_writer.hpp: the one place that turns files into tar entries (libarchive), so that
// the upper-dir and the diff walkers write byte-for-byte the same format. Internal.
#pragma once

#include <locale.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "snapshot/layer_tar.hpp"
#include "snapshot/layer_tar_fs.hpp"

struct archive;
struct archive_entry;

namespace dbuild::snapshot::detail {

/// libarchive converts names between the thread's locale and the UTF-8 of pax headers, and in
/// the "C" locale it cannot convert any non-ASCII byte. While alive, this makes the thread's
/// locale C.UTF-8 so that names pass through as the bytes they are.
class Utf8LocaleScope {
 public:
  Utf8LocaleScope();
  ~Utf8LocaleScope();
  Utf8LocaleScope(const Utf8LocaleScope&) = delete;
  Utf8LocaleScope& operator=(const Utf8LocaleScope&) = delete;

 private:
  locale_t previous_ = nullptr;
};

/// Writes entries to a ByteSink, on one thread. Entries are written in the order given: ordering is the
/// walkers' job. After any error the writer is unusable and writes nothing more.
class TarWriter {
 public:
  TarWriter(const ByteSink& sink, const LayerWriteOptions& options);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  sdk::Status open();
  /// Writes the file at `source` (described by `info`) as `tar_path` ("etc/passwd"; a directory
  /// gets its trailing slash here). Sockets are skipped: a tar cannot hold them.
  sdk::Status add(const std::string& tar_path, const FileInfo& info, const std::string& source);
  /// Writes an empty regular file with fixed metadata: a whiteout or an opaque marker.
  sdk::Status add_whiteout(const std::string& tar_path);
  /// Writes the end-of-archive blocks and flushes.
  sdk::Status close();

  [[nodiscard]] LayerStats stats() const noexcept { return stats_; }

  /// For libarchive's write callback: passes bytes to the sink, keeping its error.
  bool deliver(const void* data, std::size_t size);

 private:
  sdk::Status write_header(const std::string& tar_path);
  sdk::Status write_data(const std::string& source, const struct stat& stat);
  sdk::Status archive_error(std::string_view what, std::string_view path);
  void set_times(const struct stat& stat);

  Utf8LocaleScope locale_;  // first: libarchive may convert names until the archive is freed
  const ByteSink& sink_;
  LayerWriteOptions options_;
  struct archive* archive_ = nullptr;
  struct archive_entry* entry_ = nullptr;
  sdk::Status sink_status_;
  bool closed_ = false;
  bool discarding_ = false;  // set when abandoning the stream: nothing more reaches the sink
  LayerStats stats_;
  std::unique_ptr<char[]> buffer_;
  std::map<std::pair<dev_t, ino_t>, std::string> first_links_;  // (device, inode) -> first tar path
};

}  // namespace dbuild::snapshot::detail
