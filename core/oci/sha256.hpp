// sha256.hpp: SHA-256 over OpenSSL's EVP interface, incremental or in one call; the digest of
// every blob, layer, op and cache key in dbuild.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include <dbuild/sdk/digest.hpp>

namespace dbuild::oci {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  /// The digest of everything fed so far; the hasher is then reset for reuse.
  [[nodiscard]] sdk::Digest finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// sha256 of `data` as a Digest.
[[nodiscard]] sdk::Digest sha256_of(std::string_view data);

}  // namespace dbuild::oci
