// layout_writers.cpp: where a layout's files go. The tar writer writes ustar entries itself
// straight to a file descriptor: blob files are copied by the kernel (copy_file_range, else
// sendfile), and a layer the engine compresses for the export is written once, into its entry,
// whose header is filled in when the layer's digest and size are known (a seekable file only).
// The directory writer puts files under a directory, layers under a temporary name renamed to
// their digest.
#include "image_layout.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

namespace dbuild::exporters {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kBlock = 512;

sdk::Status errno_status(const std::string& what) {
  return sdk::Status::unavailable(what + ": " + std::strerror(errno));
}

sdk::Status write_all(int fd, const char* data, std::size_t size, const std::string& what) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(what);
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return sdk::Status::ok();
}

sdk::Status pwrite_all(int fd, const char* data, std::size_t size, off_t at, const std::string& what) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(what);
    data += n;
    at += n;
    size -= static_cast<std::size_t>(n);
  }
  return sdk::Status::ok();
}

// Copies `size` bytes of `in` to the end of `out` in the kernel where it can.
sdk::Status copy_fd(int in, int out, std::int64_t size, const std::string& what) {
  bool range = true, send = true;
  std::vector<char> buffer;
  while (size > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(size, 1 << 30));
    ssize_t n = -1;
    if (range) {
      n = ::copy_file_range(in, nullptr, out, nullptr, want, 0);
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP || errno == EBADF)) {
        range = false;
        continue;
      }
    } else if (send) {
      n = ::sendfile(out, in, nullptr, want);
      if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
        send = false;
        continue;
      }
    } else {
      buffer.resize(1 << 20);
      n = ::read(in, buffer.data(), std::min(buffer.size(), want));
      if (n > 0)
        if (auto status = write_all(out, buffer.data(), static_cast<std::size_t>(n), what); !status) return status;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(what);
    if (n == 0) return sdk::Status::unavailable(what + ": the file is shorter than its descriptor says");
    size -= n;
  }
  return sdk::Status::ok();
}

// An octal field of `width` bytes (digits and a NUL); a number too large for it is written in
// base 256 (the high bit of the first byte set), as GNU tar, libarchive and Go read it.
void put_number(char* field, std::size_t width, std::uint64_t value) {
  std::uint64_t limit = 1;
  for (std::size_t i = 0; i + 1 < width; ++i) limit *= 8;
  if (value < limit) {
    field[width - 1] = '\0';
    for (std::size_t i = width - 1; i-- > 0; value /= 8) field[i] = static_cast<char>('0' + value % 8);
    return;
  }
  std::memset(field, 0, width);
  field[0] = static_cast<char>(0x80);
  for (std::size_t i = width; i-- > 1 && value > 0; value >>= 8) field[i] = static_cast<char>(value & 0xff);
}

// A ustar header for a regular file or a directory. Layout paths are short ("blobs/sha256/<64
// hex digits>" is 77 bytes): longer ones are refused rather than split.
sdk::Result<std::array<char, kBlock>> ustar_header(const std::string& path, bool directory, unsigned mode,
                                                   std::uint64_t size) {
  if (path.size() >= 100) return sdk::Status::internal("tar: entry name too long: " + path);
  std::array<char, kBlock> header{};
  std::memcpy(header.data(), path.data(), path.size());
  put_number(&header[100], 8, mode);
  put_number(&header[108], 8, 0);   // uid
  put_number(&header[116], 8, 0);   // gid
  put_number(&header[124], 12, size);
  put_number(&header[136], 12, 0);  // mtime
  header[156] = directory ? '5' : '0';
  std::memcpy(&header[257], "ustar", 6);
  std::memcpy(&header[263], "00", 2);
  std::memset(&header[148], ' ', 8);
  unsigned sum = 0;
  for (char c : header) sum += static_cast<unsigned char>(c);
  put_number(&header[148], 7, sum);  // six digits and a NUL, then the space already there
  return header;
}

std::size_t padding(std::uint64_t size) { return (kBlock - size % kBlock) % kBlock; }

std::string blob_path(const sdk::Digest& digest) { return "blobs/" + digest.algorithm() + "/" + digest.encoded(); }

// SHA-256 of what a layer writer was given.
class Hasher {
 public:
  Hasher() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (context_) EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr);
  }
  void update(const void* data, std::size_t size) { EVP_DigestUpdate(context_.get(), data, size); }
  sdk::Result<sdk::Digest> finish() {
    unsigned char raw[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    if (!context_ || EVP_DigestFinal_ex(context_.get(), raw, &length) != 1)
      return sdk::Status::internal("sha256: OpenSSL failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned i = 0; i < length; ++i) {
      hex += kHex[raw[i] >> 4];
      hex += kHex[raw[i] & 15];
    }
    return sdk::Digest::parse("sha256:" + hex);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
};

// A layer writer that hashes and counts what it is given before putting it somewhere.
class HashingLayer : public sdk::BlobWriter {
 public:
  sdk::Status write(const void* data, std::size_t size) final {
    hasher_.update(data, size);
    written_ += static_cast<std::int64_t>(size);
    return put(static_cast<const char*>(data), size);
  }
  [[nodiscard]] std::int64_t written() const final { return written_; }

 protected:
  virtual sdk::Status put(const char* data, std::size_t size) = 0;
  // The digest of what was written, checked against what the caller expects.
  sdk::Result<sdk::Digest> digest(const std::optional<sdk::Digest>& expected,
                                  const std::optional<std::int64_t>& expected_size) {
    auto digest = hasher_.finish();
    if (!digest) return digest.status();
    if (expected && *expected != *digest)
      return sdk::Status::invalid_argument("layer digest " + digest->str() + " is not the expected " + expected->str());
    if (expected_size && *expected_size != written_)
      return sdk::Status::invalid_argument("layer size " + std::to_string(written_) + " is not the expected " +
                                           std::to_string(*expected_size));
    return digest;
  }

 private:
  Hasher hasher_;
  std::int64_t written_ = 0;
};

class TarWriter final : public LayoutWriter, public sdk::LayerSink {
 public:
  ~TarWriter() override {
    if (!owned_ || finished_) return;
    fd_.reset();
    // A failed export leaves no half-written tarball behind: only a regular file at `dest` itself
    // (not through a symlink), the one this writer opened, is removed; never /dev/null or the like.
    struct stat now {};
    if (removable_ && ::lstat(dest_.c_str(), &now) == 0 && S_ISREG(now.st_mode) && now.st_dev == opened_.st_dev &&
        now.st_ino == opened_.st_ino)
      ::unlink(dest_.c_str());
  }

  sdk::Status open(const std::string& dest, int fd) {
    if (fd >= 0 || dest == "-") {
      fd_.reset(fd >= 0 ? fd : 1, false);
    } else {
      int opened = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
      if (opened < 0) return errno_status("opening " + dest);
      fd_.reset(opened, true);
      owned_ = true;
      dest_ = dest;
      struct stat named {};
      removable_ = ::fstat(opened, &opened_) == 0 && S_ISREG(opened_.st_mode) && ::lstat(dest.c_str(), &named) == 0 &&
                   S_ISREG(named.st_mode) && named.st_dev == opened_.st_dev && named.st_ino == opened_.st_ino;
    }
    struct stat info {};
    const int flags = ::fcntl(fd_.get(), F_GETFL);
    // A layer's header is written after its data: that needs a regular file and no O_APPEND
    // (pwrite appends there).
    seekable_ = ::fstat(fd_.get(), &info) == 0 && S_ISREG(info.st_mode) && flags >= 0 && !(flags & O_APPEND) &&
                ::lseek(fd_.get(), 0, SEEK_CUR) >= 0;
    return sdk::Status::ok();
  }

  sdk::Status add_text(const std::string& path, const std::string& text) override {
    if (auto status = header(path, text.size()); !status) return status;
    if (auto status = write_all(fd_.get(), text.data(), text.size(), "writing " + path); !status) return status;
    return pad(text.size(), path);
  }

  sdk::Status add_file(const std::string& path, const fs::path& source, std::int64_t size) override {
    int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return errno_status("reading " + source.string());
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{in};
    if (auto status = header(path, static_cast<std::uint64_t>(size)); !status) return status;
    if (auto status = copy_fd(in, fd_.get(), size, "writing " + path); !status) return status;
    return pad(static_cast<std::uint64_t>(size), path);
  }

  sdk::Status finish() override {
    if (layer_open_) return sdk::Status::internal("tar: a layer was not finished");
    std::array<char, 2 * kBlock> end{};
    if (auto status = write_all(fd_.get(), end.data(), end.size(), "closing the tarball"); !status) return status;
    if (owned_ && ::close(fd_.release()) != 0) return errno_status("closing " + dest_);
    finished_ = true;
    return sdk::Status::ok();
  }

  sdk::LayerSink* layer_sink() override { return seekable_ ? this : nullptr; }

  sdk::Result<std::unique_ptr<sdk::BlobWriter>> layer() override;

 private:
  friend class TarLayer;

  // An fd this writer may or may not own (stdout, a caller's).
  struct Fd {
    int fd = -1;
    bool owned = false;
    ~Fd() { reset(); }
    void reset(int to = -1, bool own = false) {
      if (owned && fd >= 0) ::close(fd);
      fd = to;
      owned = own;
    }
    int release() {
      owned = false;
      return fd;
    }
    [[nodiscard]] int get() const { return fd; }
  };

  // Entries for the directories of `path`, once each, so that tools that extract strictly find
  // them before the files in them.
  sdk::Status directories(const std::string& path) {
    for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      auto dir = path.substr(0, slash + 1);
      if (!directories_.insert(dir).second) continue;
      auto block = ustar_header(dir, true, 0755, 0);
      if (!block) return block.status();
      if (auto status = write_all(fd_.get(), block->data(), kBlock, "writing " + dir); !status) return status;
    }
    return sdk::Status::ok();
  }

  sdk::Status header(const std::string& path, std::uint64_t size) {
    if (auto status = directories(path); !status) return status;
    auto block = ustar_header(path, false, 0644, size);
    if (!block) return block.status();
    return write_all(fd_.get(), block->data(), kBlock, "writing " + path);
  }

  sdk::Status pad(std::uint64_t size, const std::string& path) {
    static const std::array<char, kBlock> zeros{};
    return write_all(fd_.get(), zeros.data(), padding(size), "writing " + path);
  }

  Fd fd_;
  bool owned_ = false, finished_ = false, seekable_ = false, layer_open_ = false;
  bool removable_ = false;  // `dest` names, without a symlink, the regular file opened
  struct stat opened_ {};
  std::string dest_;
  std::set<std::string> directories_;
};

// One layer written into the tarball as it comes: a placeholder header, the data (hashed on the
// way), and at commit the real header in the placeholder's place. A layer already in the
// tarball (the same layer twice) is cut off again.
class TarLayer final : public HashingLayer {
 public:
  TarLayer(TarWriter& tar, off_t header_at) : tar_(tar), header_at_(header_at) {}
  ~TarLayer() override {
    if (!done_) {
      // An abandoned layer: the tarball is truncated back, finish() refuses to end it.
      (void)::ftruncate(tar_.fd_.get(), header_at_);
      (void)::lseek(tar_.fd_.get(), header_at_, SEEK_SET);
    }
  }
  sdk::Result<sdk::Digest> commit(std::optional<sdk::Digest> expected,
                                  std::optional<std::int64_t> expected_size) override {
    auto digest = this->digest(expected, expected_size);
    if (!digest) return digest;
    const std::string path = blob_path(*digest);
    done_ = true;
    tar_.layer_open_ = false;
    if (tar_.written_blob(path)) {
      if (::ftruncate(tar_.fd_.get(), header_at_) != 0 || ::lseek(tar_.fd_.get(), header_at_, SEEK_SET) < 0)
        return errno_status("writing the tarball");
      return *digest;
    }
    auto block = ustar_header(path, false, 0644, static_cast<std::uint64_t>(written()));
    if (!block) return block.status();
    if (auto status = pwrite_all(tar_.fd_.get(), block->data(), kBlock, header_at_, "writing " + path); !status)
      return status;
    if (auto status = tar_.pad(static_cast<std::uint64_t>(written()), path); !status) return status;
    return *digest;
  }

 private:
  sdk::Status put(const char* data, std::size_t size) override {
    return write_all(tar_.fd_.get(), data, size, "writing a layer into the tarball");
  }

  TarWriter& tar_;
  const off_t header_at_;
  bool done_ = false;
};

sdk::Result<std::unique_ptr<sdk::BlobWriter>> TarWriter::layer() {
  if (!seekable_) return sdk::Status::unimplemented("the tarball is not a seekable file");
  if (layer_open_) return sdk::Status::failed_precondition("tar: one layer at a time");
  // The directories of "blobs/sha256/..." come before the layer's placeholder.
  if (auto status = directories("blobs/sha256/"); !status) return status;
  const off_t at = ::lseek(fd_.get(), 0, SEEK_CUR);
  if (at < 0) return errno_status("writing the tarball");
  static const std::array<char, kBlock> placeholder{};
  if (auto status = write_all(fd_.get(), placeholder.data(), kBlock, "writing the tarball"); !status) return status;
  layer_open_ = true;
  return std::unique_ptr<sdk::BlobWriter>(std::make_unique<TarLayer>(*this, at));
}

class DirectoryWriter final : public LayoutWriter, public sdk::LayerSink {
 public:
  explicit DirectoryWriter(fs::path root) : root_(std::move(root)) {}
  sdk::Status add_text(const std::string& path, const std::string& text) override {
    auto target = prepare(path);
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return sdk::Status::unavailable("writing " + target.string());
    return sdk::Status::ok();
  }
  sdk::Status add_file(const std::string& path, const fs::path& source, std::int64_t) override {
    auto target = prepare(path);
    std::error_code error;
    fs::copy_file(source, target, fs::copy_options::overwrite_existing, error);
    if (error) return sdk::Status::unavailable("writing " + target.string() + ": " + error.message());
    return sdk::Status::ok();
  }
  sdk::Status finish() override { return sdk::Status::ok(); }
  sdk::LayerSink* layer_sink() override { return this; }
  sdk::Result<std::unique_ptr<sdk::BlobWriter>> layer() override;

 private:
  friend class DirectoryLayer;
  fs::path prepare(const std::string& path) {
    auto target = root_ / path;
    std::error_code ignored;
    fs::create_directories(target.parent_path(), ignored);
    return target;
  }
  fs::path root_;
};

// A layer written under a temporary name in blobs/sha256/, renamed to its digest at commit.
class DirectoryLayer final : public HashingLayer {
 public:
  DirectoryLayer(DirectoryWriter& directory, fs::path temporary, int fd)
      : directory_(directory), temporary_(std::move(temporary)), fd_(fd) {}
  ~DirectoryLayer() override {
    if (fd_ >= 0) ::close(fd_);
    if (!done_) ::unlink(temporary_.c_str());
  }
  sdk::Result<sdk::Digest> commit(std::optional<sdk::Digest> expected,
                                  std::optional<std::int64_t> expected_size) override {
    auto digest = this->digest(expected, expected_size);
    if (!digest) return digest;
    if (::close(std::exchange(fd_, -1)) != 0) return errno_status("writing " + temporary_.string());
    const auto target = directory_.prepare(blob_path(*digest));
    if (::rename(temporary_.c_str(), target.c_str()) != 0) return errno_status("writing " + target.string());
    done_ = true;
    directory_.written_blob(blob_path(*digest));
    return *digest;
  }

 private:
  sdk::Status put(const char* data, std::size_t size) override {
    return write_all(fd_, data, size, "writing " + temporary_.string());
  }

  DirectoryWriter& directory_;
  fs::path temporary_;
  int fd_;
  bool done_ = false;
};

sdk::Result<std::unique_ptr<sdk::BlobWriter>> DirectoryWriter::layer() {
  auto pattern = prepare("blobs/sha256/.layer-XXXXXX").string();
  int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) return errno_status("creating a layer in " + root_.string());
  ::fchmod(fd, 0644);
  return std::unique_ptr<sdk::BlobWriter>(std::make_unique<DirectoryLayer>(*this, pattern, fd));
}

}  // namespace

sdk::Result<std::unique_ptr<LayoutWriter>> tar_writer(const std::string& dest, int fd) {
  auto writer = std::make_unique<TarWriter>();
  if (auto status = writer->open(dest, fd); !status) return status;
  return std::unique_ptr<LayoutWriter>(std::move(writer));
}

sdk::Result<std::unique_ptr<LayoutWriter>> directory_writer(const fs::path& dest) {
  std::error_code error;
  fs::create_directories(dest, error);
  if (error) return sdk::Status::unavailable("creating " + dest.string() + ": " + error.message());
  return std::unique_ptr<LayoutWriter>(std::make_unique<DirectoryWriter>(dest));
}

}  // namespace dbuild::exporters
