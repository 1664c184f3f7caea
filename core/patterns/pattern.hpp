// pattern.hpp: one cleaned .dockerignore-style pattern and how it matches a path, the way
// moby/patternmatcher does it: a literal pattern compares strings, a leading or trailing `**`
// becomes a suffix or prefix test, anything else goes through a regular expression.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

#include "patterns/regex_program.hpp"

namespace dbuild::patterns {

class Pattern {
 public:
  /// How a pattern is matched; chosen from its text exactly as patternmatcher chooses it, since
  /// the shortcuts differ from the regexp (`**file` is a suffix test, so it matches "myfile").
  enum class Kind : std::uint8_t { Exact, Prefix, Suffix, Regex };

  /// `text` is the cleaned pattern without its leading '!'. Never fails: a pattern whose
  /// regexp does not compile (e.g. the range `[l-O]`, which filepath.Match accepts) is kept
  /// and reports ErrBadPattern each time it is matched, as Docker does.
  Pattern(std::string text, bool exception);

  /// Whether `path` (relative, '/'-separated) matches this pattern itself, without looking at
  /// parents. Errors: invalid_argument when the pattern's regexp does not compile.
  [[nodiscard]] sdk::Result<bool> matches(std::string_view path) const;

  /// The cleaned pattern text, without '!'.
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  /// True for a `!` pattern, which re-includes what earlier patterns matched.
  [[nodiscard]] bool exception() const noexcept { return exception_; }
  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  /// The regexp text for Kind::Regex (Go syntax), for diagnostics and tests.
  [[nodiscard]] const std::string& regex_text() const noexcept { return regex_text_; }

 private:
  std::string text_;
  bool exception_ = false;
  Kind kind_ = Kind::Exact;
  std::string regex_text_;
  std::optional<RegexProgram> regex_;
  std::string regex_error_;  // set when the regexp did not compile
};

}  // namespace dbuild::patterns
