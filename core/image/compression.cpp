// compression.cpp: parallel chunked gzip with libdeflate, and multi-threaded zstd.
#include "image/compression.hpp"

#include <fcntl.h>
#include <libdeflate.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "os/unique_fd.hpp"

namespace dbuild::image {
namespace {

constexpr std::size_t kChunk = 1 << 20;

sdk::Result<std::size_t> read_full(int fd, char* buffer, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, buffer + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sdk::Status::unavailable(std::string("reading a layer: ") + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

unsigned thread_count(const CompressionOptions& options) {
  return options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
}

// One gzip member per 1 MiB chunk; a batch of chunks is compressed by a thread each, then
// written in order.
sdk::Status gzip(int fd, sdk::BlobWriter& out, int level, unsigned threads) {
  struct Slot {
    std::vector<char> input = std::vector<char>(kChunk);
    std::size_t input_size = 0;
    std::vector<char> output;
    std::size_t output_size = 0;
    std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> compressor{nullptr,
                                                                                              libdeflate_free_compressor};
  };
  std::vector<Slot> slots(threads);
  for (auto& slot : slots) {
    slot.compressor.reset(libdeflate_alloc_compressor(level));
    if (!slot.compressor) return sdk::Status::invalid_argument("gzip level " + std::to_string(level) + " is not 1-12");
    slot.output.resize(libdeflate_gzip_compress_bound(slot.compressor.get(), kChunk));
  }
  auto compress = [](Slot& slot) {
    slot.output_size = libdeflate_gzip_compress(slot.compressor.get(), slot.input.data(), slot.input_size,
                                                slot.output.data(), slot.output.size());
  };
  bool end_of_input = false, wrote_any = false;
  while (!end_of_input) {
    std::size_t filled = 0;
    for (auto& slot : slots) {
      auto got = read_full(fd, slot.input.data(), kChunk);
      if (!got) return got.status();
      slot.input_size = *got;
      if (*got > 0) ++filled;
      if (*got < kChunk) {
        end_of_input = true;
        break;
      }
    }
    if (filled == 0) {
      if (wrote_any) break;
      filled = 1;  // an empty layer is still one (empty) gzip member
      slots[0].input_size = 0;
    }
    std::vector<std::thread> workers;
    for (std::size_t i = 1; i < filled; ++i) workers.emplace_back(compress, std::ref(slots[i]));
    compress(slots[0]);
    for (auto& worker : workers) worker.join();
    for (std::size_t i = 0; i < filled; ++i) {
      if (slots[i].output_size == 0) return sdk::Status::internal("gzip: output buffer too small");
      if (auto status = out.write(slots[i].output.data(), slots[i].output_size); !status) return status;
    }
    wrote_any = true;
  }
  return sdk::Status::ok();
}

sdk::Status zstd(int fd, sdk::BlobWriter& out, int level, unsigned threads) {
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> context(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (!context) return sdk::Status::unavailable("zstd: cannot allocate a context");
  if (ZSTD_isError(ZSTD_CCtx_setParameter(context.get(), ZSTD_c_compressionLevel, level)))
    return sdk::Status::invalid_argument("zstd level " + std::to_string(level) + " is out of range");
  ZSTD_CCtx_setParameter(context.get(), ZSTD_c_nbWorkers, static_cast<int>(threads));
  ZSTD_CCtx_setParameter(context.get(), ZSTD_c_checksumFlag, 1);
  std::vector<char> input(ZSTD_CStreamInSize() * 4);
  std::vector<char> output(ZSTD_CStreamOutSize());
  while (true) {
    auto got = read_full(fd, input.data(), input.size());
    if (!got) return got.status();
    const bool last = *got < input.size();
    ZSTD_inBuffer in{input.data(), *got, 0};
    bool finished = false;
    while (!finished) {
      ZSTD_outBuffer chunk{output.data(), output.size(), 0};
      std::size_t remaining = ZSTD_compressStream2(context.get(), &chunk, &in, last ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(remaining)) return sdk::Status::internal(std::string("zstd: ") + ZSTD_getErrorName(remaining));
      if (chunk.pos > 0)
        if (auto status = out.write(output.data(), chunk.pos); !status) return status;
      finished = last ? remaining == 0 : in.pos == in.size;
    }
    if (last) return sdk::Status::ok();
  }
}

}  // namespace

sdk::Result<Compression> parse_compression(std::string_view text) {
  if (text == "gzip") return Compression::Gzip;
  if (text == "zstd") return Compression::Zstd;
  if (text == "uncompressed") return Compression::None;
  return sdk::Status::invalid_argument("unknown compression \"" + std::string(text) + "\" (want gzip, zstd or uncompressed)");
}

sdk::Result<sdk::Descriptor> compress_layer(const std::filesystem::path& source, sdk::BlobWriter& out,
                                            const CompressionOptions& options) {
  os::UniqueFd fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return sdk::Status::unavailable("opening layer " + source.string() + ": " + std::strerror(errno));
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  sdk::Status status;
  switch (options.compression) {
    case Compression::Gzip: status = gzip(fd.get(), out, options.level.value_or(6), thread_count(options)); break;
    case Compression::Zstd: status = zstd(fd.get(), out, options.level.value_or(3), thread_count(options)); break;
    case Compression::None: return sdk::Status::invalid_argument("compress_layer: nothing to compress to");
  }
  if (!status) return status;
  auto digest = out.commit();
  if (!digest) return digest.status();
  return sdk::Descriptor{layer_media_type(options.compression), *digest, out.written(), {}, {}};
}

}  // namespace dbuild::image
