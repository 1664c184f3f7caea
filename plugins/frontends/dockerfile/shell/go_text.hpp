// go_text.hpp: the Go text semantics BuildKit's lexer inherits from its language: runes decoded
// as Go does (a bad byte is U+FFFD), text/scanner's Peek/Next, unicode.IsSpace/IsLetter/IsDigit,
// and strconv.Quote for error messages. Word expansion must agree with BuildKit byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dbuild::dockerfile::go_text {

/// A code point, or kEof; signed like Go's rune so that "no more input" is a distinct value.
using Rune = std::int32_t;
inline constexpr Rune kEof = -1;            // text/scanner.EOF
inline constexpr Rune kRuneError = 0xFFFD;  // what an invalid byte decodes to

struct Decoded {
  Rune rune = kRuneError;
  std::size_t width = 0;  // bytes consumed: 1 for an invalid byte, 0 only at the end
};

/// Go's utf8.DecodeRuneInString: an invalid, overlong, surrogate or truncated sequence is
/// {U+FFFD, 1}, so every byte string reads as runes.
[[nodiscard]] Decoded decode_rune(std::string_view text) noexcept;

/// Go's string(r) / WriteRune: UTF-8, U+FFFD for a value that is not a scalar (kEof included).
void append_rune(std::string& out, Rune rune);
[[nodiscard]] std::string rune_string(Rune rune);

/// The runes of `text` (Go's []rune(text)).
[[nodiscard]] std::vector<Rune> runes_of(std::string_view text);
[[nodiscard]] std::string string_of(const std::vector<Rune>& runes);

[[nodiscard]] bool is_space(Rune rune) noexcept;   // unicode.IsSpace
[[nodiscard]] bool is_letter(Rune rune) noexcept;  // unicode.IsLetter
[[nodiscard]] bool is_digit(Rune rune) noexcept;   // unicode.IsDigit
[[nodiscard]] bool is_print(Rune rune) noexcept;   // strconv.IsPrint

/// strconv.Quote (fmt's %q on a string): double quotes, Go escapes, printable runes kept.
[[nodiscard]] std::string quote(std::string_view text);

/// text/scanner.Scanner as BuildKit uses it (Peek and Next only): runes decoded as above, and a
/// byte order mark is skipped when it is the very first rune.
class Scanner {
 public:
  explicit Scanner(std::string_view text);

  [[nodiscard]] Rune peek() const noexcept { return current_; }
  /// Returns the current rune (kEof at the end) and moves past it.
  Rune next() noexcept;

 private:
  void load() noexcept;

  std::string_view text_;
  std::size_t position_ = 0;  // byte offset just past current_
  Rune current_ = kEof;
};

}  // namespace dbuild::dockerfile::go_text
