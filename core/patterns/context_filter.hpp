// context_filter.hpp: a local source's include and exclude pattern lists applied together, the
// way BuildKit (tonistiigi/fsutil) applies them to a build context: for each path a walk meets,
// report it, pass through it without reporting it, or prune the whole subtree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "patterns/pattern_matcher.hpp"

namespace dbuild::patterns {

class ContextFilter {
 public:
  /// What a walk does with one entry.
  enum class Verdict : std::uint8_t {
    Include,      // report it (and its unreported parent directories first); enter it if a dir
    PassThrough,  // do not report it, but enter it if a dir: something below may be included
    Prune,        // a directory nothing below which can be included: do not even read it
  };

  /// What a walk keeps for a directory, to classify the entries below it in one step each.
  struct DirState {
    MatchInfo include;
    MatchInfo exclude;
  };

  /// A filter that includes everything.
  ContextFilter() = default;

  /// `include`: when not empty, only paths matching one of these (or below a match) are kept;
  /// `exclude`: paths matching these are dropped (.dockerignore syntax, `!` exceptions).
  /// An empty list means "no such filter"; a list of blank patterns still counts as given (and,
  /// for `include`, then keeps nothing), as in BuildKit. Errors: invalid_argument from
  /// PatternMatcher::compile, with context saying which list.
  [[nodiscard]] static sdk::Result<ContextFilter> compile(std::vector<std::string> include,
                                                          std::vector<std::string> exclude);

  /// The verdict for `path` (relative, '/'-separated) in a top-down walk. `parent` is the state
  /// of its directory (default for top-level entries); `state` receives the one to pass for the
  /// entries below `path` when it is a directory. Directories are pruned only when no pattern
  /// can reach below them (see PatternMatcher::may_match_below and exceptions_may_match_below).
  /// Errors: invalid_argument when a pattern turns out to be malformed (see
  /// PatternMatcher::matches), with context saying which list.
  [[nodiscard]] sdk::Result<Verdict> classify(std::string_view path, bool is_dir, const DirState& parent,
                                              DirState& state) const;

  /// Whether `path` is in the filtered context when asked for directly (not during a walk):
  /// an include pattern matches it or a parent, and the exclude list does not.
  [[nodiscard]] sdk::Result<bool> includes(std::string_view path) const;

  /// True when either list was given.
  [[nodiscard]] bool filters() const noexcept { return include_.has_value() || exclude_.has_value(); }

 private:
  std::optional<PatternMatcher> include_;
  std::optional<PatternMatcher> exclude_;
};

}  // namespace dbuild::patterns
