// regex_syntax.hpp: the lexical pieces of Go's regexp syntax that regex_compile.cpp needs:
// repeat counts, escapes' digits, and the named character classes, with Go's exact contents.
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace dbuild::patterns {

inline constexpr char32_t kMaxRune = 0x10FFFF;
/// Go's limit on a repeat count ("a{1001}" is an error).
inline constexpr int kMaxRepeat = 1000;

/// Inclusive rune ranges.
using Ranges = std::vector<std::pair<char32_t, char32_t>>;

struct RepeatSpec {
  int min = 0;   // -1 when the number was too big to read: Go reports a bad repeat count
  int max = -1;  // -1 for "{n,}"
};

/// Reads "{n}", "{n,}" or "{n,m}" at the start of `text` (which starts with '{') and leaves
/// `text` after the '}'; nullopt, with `text` untouched, when it is none of these, in which case
/// Go reads the '{' as a literal. Numbers have no leading zeros.
[[nodiscard]] std::optional<RepeatSpec> read_repeat(std::string_view& text);

[[nodiscard]] bool is_ascii_alnum(char32_t c) noexcept;
/// The value of a hex digit, or -1.
[[nodiscard]] int hex_value(char32_t c) noexcept;

/// The runes (up to U+10FFFF) not in `ranges`.
[[nodiscard]] Ranges complement(const Ranges& ranges);

/// The ranges of `\d`, `\s` or `\w` (ASCII only in Go) for that letter in either case (the
/// caller negates for upper case); nullopt for any other letter.
[[nodiscard]] std::optional<Ranges> perl_class(char letter);

/// The ranges of a POSIX class such as "alpha" or "^digit" (negated), as in `[[:alpha:]]`;
/// nullopt for an unknown name.
[[nodiscard]] std::optional<Ranges> posix_class(std::string_view name);

}  // namespace dbuild::patterns
