// pattern_matcher.hpp: an ordered list of .dockerignore-style patterns with moby/patternmatcher
// semantics. It serves .dockerignore, COPY/ADD --exclude and a local source's include/exclude
// lists, and tells a tree walk when a directory can be skipped without reading it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "patterns/pattern.hpp"

namespace dbuild::patterns {

/// What a tree walk keeps for a directory so that each entry below it is matched in one step:
/// which patterns matched the directory itself or one of its parents. A default MatchInfo means
/// "nothing known", and the entry's parents are then matched from its path.
class MatchInfo {
 public:
  [[nodiscard]] bool empty() const noexcept { return parent_matched_.empty(); }

 private:
  friend class PatternMatcher;
  std::vector<bool> parent_matched_;
};

/// Pattern syntax, per '/'-separated path: `*` (any run of characters but '/'), `?`, `[...]`
/// classes and `\` escapes as in Go's filepath.Match, plus `**`, which matches any number of
/// directories (including none). A leading `!` makes an exception that re-includes what earlier
/// patterns matched. The last matching pattern decides, and a pattern that matches a directory
/// matches everything below it. Docker's quirks are kept: in a pattern with a wildcard, `|`,
/// `{`, `}` and `^` act as regexp operators (see pattern.cpp), so "*.txt|*.md" is an alternation.
///
/// Immutable once compiled: safe to share between threads.
class PatternMatcher {
 public:
  /// A matcher with no patterns: matches nothing.
  PatternMatcher() = default;

  /// Compiles `patterns` in order. Each is trimmed of white space (empty ones are dropped); a
  /// leading `!` marks an exception; the rest is cleaned like Go's filepath.Clean ("a//b/./c/.."
  /// becomes "a/b"), and a leading '/' is dropped, since paths are relative to the context root.
  /// (moby/patternmatcher cleans before removing the `!` and keeps a leading '/', which only
  /// differs for patterns that could never match a relative path; .dockerignore files are
  /// normalised this way by parse_dockerignore before they get here.)
  /// Errors: invalid_argument for a lone `!` ("illegal exclusion pattern") or a pattern that
  /// Go's filepath.Match rejects ("syntax error in pattern"), naming the pattern.
  [[nodiscard]] static sdk::Result<PatternMatcher> compile(std::vector<std::string> patterns);

  /// Whether `path` (relative to the context root, '/'-separated, no leading "./") is matched:
  /// patterns are tried in order; a plain pattern is only tried while the path is not matched
  /// and a `!` pattern only while it is, and a pattern applies when it matches the path or any
  /// of its parent directories. This is moby/patternmatcher's MatchesOrParentMatches, which is
  /// how .dockerignore is applied. Errors: invalid_argument when a pattern that had to be tried
  /// is one of the rare ones Go's filepath.Match accepts but Docker's regexp translation does not
  /// (e.g. the range `[l-O]`); Docker fails the same way.
  [[nodiscard]] sdk::Result<bool> matches(std::string_view path) const;

  /// The match for `path` in a top-down walk: `parent` is the MatchInfo that `path`'s directory
  /// got (empty for top-level entries), and `info` receives the one to pass for entries below
  /// `path`. Each pattern is tried once, against `path` only, and a pattern that matched the
  /// parent counts as matching. This is MatchesUsingParentResults, which BuildKit's context walk
  /// uses; it agrees with matches(path) except where a `!` pattern was skipped for a parent (it
  /// was not tried there, so it is not remembered): ["a/*/c", "!a/b"] matches "a/b/c" here but
  /// not in matches(). Errors: as matches(), and invalid_argument for a `parent` that came from
  /// a different matcher.
  [[nodiscard]] sdk::Result<bool> matches_incrementally(std::string_view path, const MatchInfo& parent,
                                                        MatchInfo& info) const;

  /// True when some pattern is a `!` exception.
  [[nodiscard]] bool has_exclusions() const noexcept { return has_exclusions_; }

  /// For an include list, after `dir` was found not to match: whether a plain pattern could
  /// still match something below `dir`, so that a walk must enter it. Conservative like
  /// BuildKit's: as soon as one plain pattern has a wildcard (other than a trailing "/*" or
  /// "/**"), every directory may hold a match.
  [[nodiscard]] bool may_match_below(std::string_view dir) const;

  /// For an exclude list, after `dir` was found to match: whether a `!` exception could
  /// re-include something below `dir`, so that a walk must enter it. False without exceptions;
  /// conservative (always true) as soon as one exception has a wildcard, as in BuildKit.
  [[nodiscard]] bool exceptions_may_match_below(std::string_view dir) const;

  /// The compiled patterns, in order (blank ones dropped).
  [[nodiscard]] const std::vector<Pattern>& patterns() const noexcept { return patterns_; }
  [[nodiscard]] bool empty() const noexcept { return patterns_.empty(); }

 private:
  bool matches_a_parent(const Pattern& pattern, std::string_view path) const;
  bool some_pattern_below(std::string_view dir, bool exceptions) const;

  std::vector<Pattern> patterns_;
  bool has_exclusions_ = false;
  bool literal_inclusions_ = true;  // no plain pattern has a wildcard before a trailing glob
  bool literal_exceptions_ = true;  // no `!` pattern has one
};

}  // namespace dbuild::patterns
