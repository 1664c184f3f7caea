// base64.hpp: standard base64 (RFC 4648 with padding), for Basic auth and config.json's "auth".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dbuild::registry {

[[nodiscard]] std::string base64_encode(std::string_view data);
/// nullopt when `text` is not base64; whitespace and missing padding are tolerated, as Docker does.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

}  // namespace dbuild::registry
