// pattern.hpp: the patterns of ${VAR#pat} ${VAR%pat} ${VAR/pat/repl}. BuildKit turns a shell
// pattern (`*`, `?`, `\*` `\?` `\\` escapes; no bracket expressions) into a Go regexp of literals,
// `.` and `.*` or `.*?`; Pattern is that regexp, matched with Go's leftmost-first rules, so that
// results (newlines not matched by wildcards, `$0` in replacements, ...) agree byte for byte.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "shell/go_text.hpp"

namespace dbuild::dockerfile::shell_pattern {

/// How much a `*` takes when several lengths match: `#`/`%` take the shortest, `##`/`%%`/`/` the longest.
enum class Stars { Shortest, Longest };
/// Whether a match must begin at the start of the value (`#`, `%`) or may begin anywhere (`/`).
enum class Anchor { Start, Anywhere };

class Pattern {
 public:
  /// Compiles `pattern`. `\` escapes only `*`, `?` and `\`; before `}` or `/` it is dropped.
  /// Errors: invalid_argument "invalid escape '\x'" for any other escaped character.
  [[nodiscard]] static sdk::Result<Pattern> compile(std::string_view pattern, Stars stars, Anchor anchor);

  struct Match {
    std::size_t begin = 0;  // byte offsets into the value
    std::size_t end = 0;
  };
  /// The leftmost match (Go's FindStringIndex), or nullopt.
  [[nodiscard]] std::optional<Match> find(std::string_view value) const;

  /// Go's ReplaceAllString: every non-overlapping match replaced; in `replacement`, `$0` and
  /// `${0}` stand for the match, `$$` for `$`, and any other `$name` for nothing.
  [[nodiscard]] std::string replace_all(std::string_view value, std::string_view replacement) const;

 private:
  enum class Kind { Literal, AnyRune, AnyRun };
  struct Token {
    Kind kind = Kind::Literal;
    go_text::Rune rune = 0;  // Kind::Literal only
  };

  /// For each start (rune index 0..n), the end of the match that begins there, or -1.
  [[nodiscard]] std::vector<long> match_ends(const std::vector<go_text::Rune>& runes) const;

  std::vector<Token> tokens_;
  Stars stars_ = Stars::Longest;
  Anchor anchor_ = Anchor::Anywhere;
};

/// ${VAR#pat} / ${VAR##pat}: `value` without its matching prefix. Errors: invalid_argument
/// "invalid pattern (PAT) in substitution: invalid escape '\x'".
[[nodiscard]] sdk::Result<std::string> trim_prefix(std::string_view pattern, std::string_view value, Stars stars);

/// ${VAR%pat} / ${VAR%%pat}: BuildKit reverses pattern and value and trims a prefix, so an error
/// names the reversed pattern and the result has Go's []rune round trip (bad bytes become U+FFFD).
[[nodiscard]] sdk::Result<std::string> trim_suffix(std::string_view pattern, std::string_view value, Stars stars);

/// The runes of `pattern` in reverse order, each `\x` pair kept in order ("a\*c" -> "c\*a").
[[nodiscard]] std::string reverse_pattern(std::string_view pattern);
/// The runes of `text` in reverse order.
[[nodiscard]] std::string reverse_string(std::string_view text);

}  // namespace dbuild::dockerfile::shell_pattern
