// go_text.hpp: the Go string and path semantics that Docker's pattern matching is defined in terms
// of: UTF-8 decoding (a bad byte is U+FFFD), strings.TrimSpace, and path/filepath Clean and Dir
// on '/'-separated paths. Matching must agree with BuildKit byte for byte, so these follow Go.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dbuild::patterns {

/// What Go's utf8.DecodeRuneInString yields for an invalid or truncated sequence.
inline constexpr char32_t kRuneError = 0xFFFD;

struct DecodedRune {
  char32_t rune = kRuneError;
  std::size_t width = 0;  // bytes consumed; 1 for an invalid byte, 0 only for empty input
};

/// Decodes the first rune of `text` as Go does: an invalid, overlong, surrogate or truncated
/// sequence decodes as {U+FFFD, 1}, so that every byte string has a rune reading.
[[nodiscard]] DecodedRune decode_rune(std::string_view text) noexcept;

/// Appends `rune` in UTF-8; a value that is not a Unicode scalar appends U+FFFD (Go's string(r)).
void append_utf8(std::string& out, char32_t rune);

/// Go's unicode.IsSpace.
[[nodiscard]] bool is_unicode_space(char32_t rune) noexcept;

/// Go's strings.TrimSpace: strips leading and trailing Unicode white space.
[[nodiscard]] std::string_view trim_space(std::string_view text) noexcept;

/// Go's filepath.Clean with '/' as separator: collapses "//", drops "." elements, resolves ".."
/// lexically (never above a leading '/'), drops a trailing '/'; the empty path becomes ".".
[[nodiscard]] std::string clean_path(std::string_view path);

/// Go's filepath.Dir: everything before the last '/', cleaned; "." when there is no '/'.
[[nodiscard]] std::string dir_path(std::string_view path);

}  // namespace dbuild::patterns
