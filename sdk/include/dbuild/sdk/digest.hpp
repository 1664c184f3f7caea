// digest.hpp: a content digest ("sha256:<hex>") as the OCI image spec defines it.
// Parsing validates the form; computing digests is the host's job (see host.hpp), so the SDK
// itself needs no crypto library.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

class Digest {
 public:
  Digest() = default;

  /// Parses "algorithm:encoded". sha256 and sha512 must carry lowercase hex of the right
  /// length; other algorithms must follow the spec's grammar. Errors: invalid_argument.
  static Result<Digest> parse(std::string_view text);

  [[nodiscard]] const std::string& algorithm() const noexcept { return algorithm_; }
  [[nodiscard]] const std::string& encoded() const noexcept { return encoded_; }
  [[nodiscard]] bool empty() const noexcept { return algorithm_.empty(); }
  /// "sha256:0123..."; empty for a default-constructed Digest.
  [[nodiscard]] std::string str() const;
  /// The first 12 hex characters, as `docker images` shows image IDs.
  [[nodiscard]] std::string short_hex() const { return encoded_.substr(0, 12); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  Digest(std::string algorithm, std::string encoded)
      : algorithm_(std::move(algorithm)), encoded_(std::move(encoded)) {}

  std::string algorithm_;
  std::string encoded_;
};

}  // namespace dbuild::sdk
