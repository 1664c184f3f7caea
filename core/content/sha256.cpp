// sha256.cpp: SHA-256 and random ids through OpenSSL (libcrypto).
#include "content/sha256.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <random>

namespace dbuild::content {
namespace {

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 0xf]);
  }
  return hex;
}

}  // namespace

struct Sha256::Context {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool ok = context != nullptr && EVP_DigestInit_ex(context, EVP_sha256(), nullptr) == 1;
  ~Context() { EVP_MD_CTX_free(context); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, std::size_t size) {
  if (context_->ok && size > 0) context_->ok = EVP_DigestUpdate(context_->context, data, size) == 1;
}

sdk::Result<std::string> Sha256::finish_hex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (!context_->ok || EVP_DigestFinal_ex(context_->context, digest.data(), &size) != 1 || size != 32)
    return sdk::Status::internal("computing sha256 with OpenSSL failed");
  context_->ok = false;  // finished: a second call is an error, not a digest of nothing
  return to_hex(digest.data(), size);
}

sdk::Result<std::string> sha256_hex(const void* data, std::size_t size) {
  Sha256 hash;
  hash.update(data, size);
  return hash.finish_hex();
}

std::string random_hex(std::size_t count) {
  std::string bytes(count, '\0');
  auto* data = reinterpret_cast<unsigned char*>(bytes.data());
  if (RAND_bytes(data, static_cast<int>(count)) != 1) {
    // Names only need to be unique, not secret: fall back rather than fail a write.
    static thread_local std::mt19937_64 fallback{std::random_device{}()};
    for (auto& byte : bytes) byte = static_cast<char>(fallback());
  }
  return to_hex(data, count);
}

}  // namespace dbuild::content
