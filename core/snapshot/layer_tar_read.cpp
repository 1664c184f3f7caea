// layer_tar_read.cpp: apply_layer(): reads a layer stream with libarchive (compression detected
// from the bytes) and hands each entry to the LayerApplier.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>

#include <cerrno>
#include <exception>
#include <memory>

#include <fmt/format.h>

#include "snapshot/layer_tar.hpp"
#include "snapshot/layer_tar_apply.hpp"
#include "snapshot/layer_tar_writer.hpp"

namespace dbuild::snapshot {
namespace {

using detail::Fd;

constexpr std::size_t kReadBufferSize = std::size_t{1} << 20;

struct ReadContext {
  const ByteSource& source;
  std::unique_ptr<char[]> buffer;
  sdk::Status status;  // the source's error, which explains libarchive's
  bool ended;
};

la_ssize_t read_callback(struct archive* archive, void* data, const void** buffer) {
  auto& context = *static_cast<ReadContext*>(data);
  auto count = context.source(context.buffer.get(), kReadBufferSize);
  if (count && *count > kReadBufferSize) count = sdk::Status::internal("the layer source returned more than asked");
  if (!count) {
    context.status = count.status();
    archive_set_error(archive, EIO, "%s", context.status.to_string().c_str());
    return -1;
  }
  if (*count == 0) context.ended = true;
  *buffer = context.buffer.get();
  return static_cast<la_ssize_t>(*count);
}

struct ArchiveFree {
  void operator()(struct archive* archive) const { archive_read_free(archive); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

sdk::Status read_failure(struct archive* archive, const ReadContext& context) {
  if (!context.status) return context.status;
  const char* detail = archive_error_string(archive);
  return sdk::Status::invalid_argument(
      fmt::format("not a valid layer (tar, tar+gzip or tar+zstd): {}", detail ? detail : "unknown error"));
}

sdk::Result<ArchivePtr> open_reader(ReadContext& context) {
  ArchivePtr archive(archive_read_new());
  if (!archive) return sdk::Status::unavailable("cannot start a tar reader: out of memory");
  // ARCHIVE_WARN from a filter: it will run the external program, which still works.
  if (archive_read_support_format_tar(archive.get()) != ARCHIVE_OK ||
      archive_read_support_format_empty(archive.get()) != ARCHIVE_OK ||  // a layer may be an empty stream
      archive_read_support_filter_gzip(archive.get()) < ARCHIVE_WARN ||
      archive_read_support_filter_zstd(archive.get()) < ARCHIVE_WARN)
    return sdk::Status::internal(fmt::format("cannot set up the tar reader: {}", archive_error_string(archive.get())));
  if (archive_read_open(archive.get(), &context, nullptr, read_callback, nullptr) != ARCHIVE_OK)
    return read_failure(archive.get(), context);
  return archive;
}

// The caller hashes what it feeds us; libarchive stops at the end-of-archive blocks.
sdk::Status drain(ReadContext& context) {
  while (!context.ended) {
    auto count = context.source(context.buffer.get(), kReadBufferSize);
    if (!count) return count.status();
    context.ended = *count == 0;
  }
  return sdk::Status::ok();
}

sdk::Result<LayerStats> apply_entries(struct archive* archive, ReadContext& context, detail::LayerApplier& applier) {
  LayerStats stats;
  for (;;) {
    struct archive_entry* entry = nullptr;
    int result = archive_read_next_header(archive, &entry);
    if (result == ARCHIVE_EOF) break;
    // ARCHIVE_WARN: e.g. a name in a charset that needed a fallback; the entry is still usable.
    if (result != ARCHIVE_OK && result != ARCHIVE_WARN) return read_failure(archive, context);
    if (auto status = applier.apply(archive, entry); !status) return context.status ? status : context.status;
    ++stats.entries;
  }
  if (auto status = applier.finish(); !status) return status;
  stats.bytes = static_cast<std::uint64_t>(archive_filter_bytes(archive, 0));
  if (auto status = drain(context); !status) return status;
  return stats;
}

}  // namespace

sdk::Result<LayerStats> apply_layer(const ByteSource& in, const std::filesystem::path& target, WhiteoutFormat format) {
  const std::string context_text = fmt::format("applying a layer to \"{}\"", target.string());
  try {
    detail::Utf8LocaleScope locale;  // names reach the file system as the bytes the tar holds
    Fd root(::open(target.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) return detail::errno_status(errno, target.string(), "cannot open").with_context(context_text);
    ReadContext context{in, std::make_unique<char[]>(kReadBufferSize), sdk::Status::ok(), false};
    auto archive = open_reader(context);
    if (!archive) return archive.status().with_context(context_text);
    detail::LayerApplier applier(root.get(), target.string(), format);
    auto stats = apply_entries(archive->get(), context, applier);
    if (!stats) return stats.status().with_context(context_text);
    return stats;
  } catch (const std::exception& error) {  // allocation failures; nothing else here throws
    return sdk::Status::unavailable(error.what()).with_context(context_text);
  }
}

}  // namespace dbuild::snapshot
