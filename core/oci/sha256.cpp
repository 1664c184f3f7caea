// sha256.cpp: the EVP context behind Sha256.
#include "oci/sha256.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace dbuild::oci {

struct Sha256::State {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  ~State() { EVP_MD_CTX_free(context); }
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  if (!state_->context || EVP_DigestInit_ex(state_->context, EVP_sha256(), nullptr) != 1) {
    std::fputs("dbuild: OpenSSL cannot initialise SHA-256\n", stderr);
    std::abort();  // no digests means no store: nothing sensible can continue
  }
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, std::size_t size) { EVP_DigestUpdate(state_->context, data, size); }

sdk::Digest Sha256::finish() {
  std::array<unsigned char, 32> raw{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(state_->context, raw.data(), &length);
  EVP_DigestInit_ex(state_->context, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "sha256:";
  for (unsigned char byte : raw) {
    text += kHex[byte >> 4];
    text += kHex[byte & 15];
  }
  return *sdk::Digest::parse(text);
}

sdk::Digest sha256_of(std::string_view data) {
  Sha256 hasher;
  hasher.update(data);
  return hasher.finish();
}

}  // namespace dbuild::oci
