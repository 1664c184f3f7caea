// compression.cpp: gzip as independent 1 MiB members compressed by a pool of threads with
// libdeflate (incompressible chunks stored), and multi-threaded zstd; the output is hashed and
// written on its own thread while compression goes on.
#include "image/compression.hpp"

#include <fcntl.h>
#include <libdeflate.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
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

// Hands buffers to `out` (which writes and hashes them) on a thread of its own, in order, so
// that the compressing threads never wait for the disk or SHA-256. At most `limit` buffers wait.
class AsyncWriter {
 public:
  AsyncWriter(sdk::BlobWriter& out, std::size_t limit) : out_(out), limit_(limit), thread_([this] { drain(); }) {}
  ~AsyncWriter() { (void)finish(); }

  sdk::Status write(std::vector<char> buffer) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return queue_.size() < limit_ || !status_.is_ok(); });
    if (!status_.is_ok()) return status_;
    queue_.push_back(std::move(buffer));
    ready_.notify_one();
    return sdk::Status::ok();
  }
  sdk::Status finish() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      ready_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  void drain() {
    std::unique_lock lock(mutex_);
    while (true) {
      ready_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty()) return;
      auto buffer = std::move(queue_.front());
      queue_.pop_front();
      space_.notify_one();
      lock.unlock();
      auto status = out_.write(buffer.data(), buffer.size());
      lock.lock();
      if (!status) {
        status_ = std::move(status);
        queue_.clear();
        space_.notify_all();
        return;
      }
    }
  }

  sdk::BlobWriter& out_;
  const std::size_t limit_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<std::vector<char>> queue_;
  bool closed_ = false;
  sdk::Status status_;
  std::thread thread_;
};

// A chunk no deflate level would shrink (random data, already compressed files) is written as
// stored blocks: compressing it costs as much as text and gains nothing. Judged on four samples
// of the chunk at level 1, so that the choice depends only on the chunk's bytes.
bool incompressible(libdeflate_compressor* probe, const char* data, std::size_t size, std::vector<char>& scratch) {
  constexpr std::size_t kSample = 16 << 10;
  if (size < 4 * kSample) return false;
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t offset = (size - kSample) * i / 3;
    const std::size_t got = libdeflate_deflate_compress(probe, data + offset, kSample, scratch.data(), scratch.size());
    if (got != 0 && got < kSample * 97 / 100) return false;
  }
  return true;
}

void put_le32(std::vector<char>& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// One gzip member (RFC 1952) holding `data` in stored deflate blocks (RFC 1951 3.2.4).
std::vector<char> stored_member(const char* data, std::size_t size) {
  constexpr std::size_t kMaxBlock = 65535;
  std::vector<char> out = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, '\xff'};  // deflate, no flags, no mtime, OS unknown
  out.reserve(size + size / kMaxBlock * 5 + 32);
  std::size_t offset = 0;
  do {
    const std::size_t block = std::min(kMaxBlock, size - offset);
    const bool last = offset + block == size;
    out.push_back(last ? 1 : 0);  // BFINAL, BTYPE 00: stored
    const auto length = static_cast<std::uint16_t>(block);
    const auto complement = static_cast<std::uint16_t>(~length);
    for (auto value : {length, complement}) {
      out.push_back(static_cast<char>(value & 0xff));
      out.push_back(static_cast<char>(value >> 8));
    }
    out.insert(out.end(), data + offset, data + offset + block);
    offset += block;
  } while (offset < size);
  put_le32(out, libdeflate_crc32(0, data, size));
  put_le32(out, static_cast<std::uint32_t>(size));
  return out;
}

using Compressor = std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)>;

// Chunk k of the layer becomes gzip member k. Each thread takes the next chunk number, reads it
// with pread, and compresses it into the slot k % slots; this thread hands the slots to the
// writer in order. Members do not depend on each other, so the output is the same for any
// number of threads.
class GzipPipeline {
 public:
  GzipPipeline(int fd, int level, unsigned threads) : fd_(fd), level_(level), threads_(threads), slots_(2 * threads) {}

  sdk::Status run(AsyncWriter& writer) {
    std::vector<std::thread> workers;
    auto stop_and_join = [&] {
      {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        changed_.notify_all();
      }
      for (auto& worker : workers) worker.join();
    };
    sdk::Status status;
    try {
      for (unsigned i = 0; i < threads_; ++i) workers.emplace_back([this] { work(); });
      status = collect(writer);
    } catch (const std::exception& error) {  // no thread to start, or no memory for a member
      status = sdk::Status::unavailable(std::string("compressing a layer: ") + error.what());
    }
    stop_and_join();
    return status;
  }

 private:
  struct Slot {
    std::size_t chunk = SIZE_MAX;  // which chunk the slot holds, once done
    std::vector<char> member;
    bool end = false;  // the chunk was the last (shorter than kChunk, maybe empty)
    sdk::Status status;
  };

  sdk::Status collect(AsyncWriter& writer) {
    for (std::size_t chunk = 0;; ++chunk) {
      Slot slot;
      {
        std::unique_lock lock(mutex_);
        auto& waiting = slots_[chunk % slots_.size()];
        changed_.wait(lock, [&] { return waiting.chunk == chunk || !failure_.is_ok(); });
        if (waiting.chunk != chunk) return failure_;
        slot = std::move(waiting);
        waiting = Slot{};
        written_ = chunk + 1;
        changed_.notify_all();
      }
      if (!slot.status) return slot.status;
      // An empty layer is still one (empty) gzip member; an empty last chunk after others adds none.
      if (!(slot.end && slot.member.empty()))
        if (auto status = writer.write(std::move(slot.member)); !status) return status;
      if (slot.end) return sdk::Status::ok();
    }
  }

  void work() {
    try {
      work_unguarded();
    } catch (const std::exception& error) {  // out of memory: the layer fails, the process goes on
      std::lock_guard lock(mutex_);
      failure_ = sdk::Status::unavailable(std::string("compressing a layer: ") + error.what());
      stopped_ = true;
      changed_.notify_all();
    }
  }

  void work_unguarded() {
    Compressor compressor(libdeflate_alloc_compressor(level_), libdeflate_free_compressor);
    Compressor probe(libdeflate_alloc_compressor(1), libdeflate_free_compressor);
    std::vector<char> input(kChunk), scratch(kChunk + 4096);
    while (true) {
      std::size_t chunk;
      {
        std::unique_lock lock(mutex_);
        // Stay within the slots the writer has not taken yet, and stop after the last chunk.
        changed_.wait(lock, [&] { return stopped_ || (!ended_ && next_ < written_ + slots_.size()); });
        if (stopped_ || ended_) return;
        chunk = next_++;
      }
      Slot slot = compress_chunk(chunk, compressor.get(), probe.get(), input, scratch);
      std::lock_guard lock(mutex_);
      if (slot.end || !slot.status) ended_ = true;
      slots_[chunk % slots_.size()] = std::move(slot);
      changed_.notify_all();
    }
  }

  Slot compress_chunk(std::size_t chunk, libdeflate_compressor* compressor, libdeflate_compressor* probe,
                      std::vector<char>& input, std::vector<char>& scratch) {
    Slot slot;
    slot.chunk = chunk;
    auto got = read_chunk(chunk, input);
    if (!got) {
      slot.status = got.status();
      return slot;
    }
    slot.end = *got < kChunk;
    if (*got == 0 && chunk > 0) return slot;
    if (!compressor) {
      slot.status = sdk::Status::invalid_argument("gzip level " + std::to_string(level_) + " is not 1-12");
      return slot;
    }
    if (probe && incompressible(probe, input.data(), *got, scratch)) {
      slot.member = stored_member(input.data(), *got);
      return slot;
    }
    slot.member.resize(libdeflate_gzip_compress_bound(compressor, *got));
    const auto size = libdeflate_gzip_compress(compressor, input.data(), *got, slot.member.data(), slot.member.size());
    if (size == 0) slot.status = sdk::Status::internal("gzip: output buffer too small");
    slot.member.resize(size);
    return slot;
  }

  sdk::Result<std::size_t> read_chunk(std::size_t chunk, std::vector<char>& input) {
    std::size_t done = 0;
    const auto offset = static_cast<off_t>(chunk * kChunk);
    while (done < kChunk) {
      ssize_t n = ::pread(fd_, input.data() + done, kChunk - done, offset + static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sdk::Status::unavailable(std::string("reading a layer: ") + std::strerror(errno));
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    return done;
  }

  const int fd_;
  const int level_;
  const unsigned threads_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Slot> slots_;
  std::size_t next_ = 0;     // the next chunk a thread takes
  std::size_t written_ = 0;  // chunks the collector has taken
  bool ended_ = false;       // a thread read the last chunk (or failed)
  bool stopped_ = false;
  sdk::Status failure_;      // a worker that threw (no memory): the layer fails
};

sdk::Status zstd(int fd, AsyncWriter& out, int level, unsigned threads) {
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> context(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (!context) return sdk::Status::unavailable("zstd: cannot allocate a context");
  if (ZSTD_isError(ZSTD_CCtx_setParameter(context.get(), ZSTD_c_compressionLevel, level)))
    return sdk::Status::invalid_argument("zstd level " + std::to_string(level) + " is out of range");
  // With one worker or more, zstd's output does not depend on how many there are.
  ZSTD_CCtx_setParameter(context.get(), ZSTD_c_nbWorkers, static_cast<int>(threads));
  ZSTD_CCtx_setParameter(context.get(), ZSTD_c_checksumFlag, 1);
  std::vector<char> input(4 * kChunk);
  const std::size_t output_size = std::max<std::size_t>(ZSTD_CStreamOutSize(), kChunk);
  std::vector<char> output(output_size);
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
      if (chunk.pos > 0) {
        output.resize(chunk.pos);
        if (auto status = out.write(std::exchange(output, std::vector<char>(output_size))); !status) return status;
      }
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
  const unsigned threads = thread_count(options);
  AsyncWriter writer(out, 2 * threads + 2);
  sdk::Status status;
  switch (options.compression) {
    case Compression::Gzip:
      status = GzipPipeline(fd.get(), options.level.value_or(kDefaultGzipLevel), threads).run(writer);
      break;
    case Compression::Zstd: status = zstd(fd.get(), writer, options.level.value_or(3), threads); break;
    case Compression::None: return sdk::Status::invalid_argument("compress_layer: nothing to compress to");
  }
  auto written = writer.finish();
  if (!status) return status;
  if (!written) return written;
  auto digest = out.commit();
  if (!digest) return digest.status();
  return sdk::Descriptor{layer_media_type(options.compression), *digest, out.written(), {}, {}};
}

}  // namespace dbuild::image
