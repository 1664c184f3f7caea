// local_blob_writer.cpp: creating locked ingest files, writing and hashing, and committing.
#include "content/local_blob_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "content/local_content_store.hpp"

namespace dbuild::content {

using sdk::Digest;
using sdk::Result;
using sdk::Status;

LocalBlobWriter::LocalBlobWriter(LocalContentStore& store, UniqueFd file, std::filesystem::path path,
                                 std::optional<std::string> lease_id)
    : store_(store), file_(std::move(file)), path_(std::move(path)), lease_id_(std::move(lease_id)) {}

LocalBlobWriter::~LocalBlobWriter() {
  if (state_ == State::Writing) discard();
}

void LocalBlobWriter::discard() {
  // Unlink while still holding the lock, so that cleanup_ingest never races us for the name.
  if (file_.valid()) ::unlink(path_.c_str());
  file_.reset();
  state_ = State::Failed;
}

Status LocalBlobWriter::write(const void* data, std::size_t size) {
  if (state_ != State::Writing)
    return Status::failed_precondition("writing to a blob writer that was committed or failed");
  if (auto status = write_all(file_.get(), data, size, path_); !status) {
    discard();
    return status;
  }
  hash_.update(data, size);
  written_ += static_cast<std::int64_t>(size);
  return Status::ok();
}

Result<Digest> LocalBlobWriter::verify(const std::optional<Digest>& expected,
                                       std::optional<std::int64_t> expected_size) {
  auto hex = hash_.finish_hex();
  if (!hex) return hex.status();
  auto digest = Digest::parse("sha256:" + *hex);
  if (!digest) return digest.status();
  if (expected && expected->algorithm() != "sha256")
    return Status::invalid_argument(
        fmt::format("cannot verify {}: this content store only stores sha256 digests", expected->str()));
  if (expected && *expected != *digest)
    return Status::invalid_argument(fmt::format("digest mismatch: expected {}, but the {} bytes written are {}",
                                                expected->str(), written_, digest->str()));
  if (expected_size && *expected_size != written_)
    return Status::invalid_argument(fmt::format("size mismatch: expected {} bytes, but {} were written ({})",
                                                *expected_size, written_, digest->str()));
  return digest;
}

Result<Digest> LocalBlobWriter::commit(std::optional<Digest> expected, std::optional<std::int64_t> expected_size) {
  if (state_ != State::Writing)
    return Status::failed_precondition("committing a blob writer that was committed or failed");
  auto digest = verify(expected, expected_size);
  if (!digest) {
    discard();
    return digest.status();
  }
  // The bytes must be on disk before the name that vouches for them is: rename is atomic, but
  // without this fsync a crash could leave the new name on a file whose data never made it.
  if (::fsync(file_.get()) != 0 || ::fchmod(file_.get(), 0444) != 0) {
    auto status = errno_status(errno, "syncing", path_);
    discard();
    return status;
  }
  if (auto status = store_.publish(path_, *digest, written_, lease_id_); !status) {
    discard();
    return status;
  }
  state_ = State::Committed;
  file_.reset();
  return digest;
}

// Ingest names are unique by pid and random suffix; O_EXCL makes sure. The lock is taken right
// after creation, and the name checked again afterwards: cleanup_ingest may have removed a file
// in that instant (only when asked to clean files of any age), and then we start over.
Result<std::unique_ptr<sdk::BlobWriter>> LocalContentStore::make_writer(std::optional<std::string> lease_id) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto path = ingest_dir_ / fmt::format("{}-{}", ::getpid(), random_hex(8));
    UniqueFd file(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!file.valid()) {
      if (errno == EEXIST) continue;
      return errno_status(errno, "creating ingest file", path).with_context("starting a blob writer");
    }
    auto locked = try_lock_exclusive(file.get(), path);
    if (!locked) return locked.status().with_context("starting a blob writer");
    if (!*locked || !same_file(file.get(), path)) continue;
    return std::unique_ptr<sdk::BlobWriter>(
        std::make_unique<LocalBlobWriter>(*this, std::move(file), std::move(path), std::move(lease_id)));
  }
  return Status::unavailable(fmt::format("could not create a unique ingest file in {}", ingest_dir_.string()));
}

}  // namespace dbuild::content
