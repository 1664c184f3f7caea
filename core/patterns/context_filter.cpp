// context_filter.cpp: the include-then-exclude decision BuildKit's filtered walk makes per entry.
#include "patterns/context_filter.hpp"

namespace dbuild::patterns {

sdk::Result<ContextFilter> ContextFilter::compile(std::vector<std::string> include, std::vector<std::string> exclude) {
  ContextFilter filter;
  if (!include.empty()) {
    auto matcher = PatternMatcher::compile(std::move(include));
    if (!matcher) return matcher.status().with_context("invalid include patterns");
    filter.include_ = std::move(*matcher);
  }
  if (!exclude.empty()) {
    auto matcher = PatternMatcher::compile(std::move(exclude));
    if (!matcher) return matcher.status().with_context("invalid exclude patterns");
    filter.exclude_ = std::move(*matcher);
  }
  return filter;
}

sdk::Result<ContextFilter::Verdict> ContextFilter::classify(std::string_view path, bool is_dir, const DirState& parent,
                                                            DirState& state) const {
  bool report = true;
  if (include_) {
    auto included = include_->matches_incrementally(path, parent.include, state.include);
    if (!included) return included.status().with_context("matching include patterns");
    if (!*included) {
      if (is_dir && !include_->may_match_below(path)) return Verdict::Prune;
      report = false;
    }
  }
  if (exclude_) {
    auto excluded = exclude_->matches_incrementally(path, parent.exclude, state.exclude);
    if (!excluded) return excluded.status().with_context("matching exclude patterns");
    if (*excluded) {
      if (is_dir && !exclude_->exceptions_may_match_below(path)) return Verdict::Prune;
      report = false;
    }
  }
  return report ? Verdict::Include : Verdict::PassThrough;
}

sdk::Result<bool> ContextFilter::includes(std::string_view path) const {
  if (include_) {
    auto included = include_->matches(path);
    if (!included) return included.status().with_context("matching include patterns");
    if (!*included) return false;
  }
  if (exclude_) {
    auto excluded = exclude_->matches(path);
    if (!excluded) return excluded.status().with_context("matching exclude patterns");
    if (*excluded) return false;
  }
  return true;
}

}  // namespace dbuild::patterns
