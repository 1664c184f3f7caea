// sha256.hpp: incremental SHA-256 (OpenSSL's EVP API behind a small class), for hashing blobs
// while they are written.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <dbuild/sdk/status.hpp>

namespace dbuild::content {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, std::size_t size);
  /// The digest's 64 lowercase hex digits. Call once. Errors: internal (OpenSSL failed).
  [[nodiscard]] sdk::Result<std::string> finish_hex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

/// SHA-256 of `data` in one call, as 64 lowercase hex digits.
[[nodiscard]] sdk::Result<std::string> sha256_hex(const void* data, std::size_t size);

/// `count` random bytes as lowercase hex, for unique file names and lease ids.
[[nodiscard]] std::string random_hex(std::size_t count);

}  // namespace dbuild::content
