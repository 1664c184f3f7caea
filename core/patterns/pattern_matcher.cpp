// pattern_matcher.cpp: ordered evaluation of patterns with moby/patternmatcher's rules, and the
// prefix test BuildKit's walk uses to skip directories no pattern can reach into.
#include "patterns/pattern_matcher.hpp"

#include "patterns/glob.hpp"
#include "patterns/go_text.hpp"

namespace dbuild::patterns {
namespace {

// What BuildKit's walk counts as a wildcard when deciding whether a pattern names a fixed path.
constexpr std::string_view kWildcardChars = "*[]?^\\";

std::string_view without_trailing_glob(std::string_view text) {
  if (text.ends_with("/**")) text.remove_suffix(3);
  if (text.ends_with("/*")) text.remove_suffix(2);
  return text;
}

bool is_literal(const Pattern& pattern) {
  return without_trailing_glob(pattern.text()).find_first_of(kWildcardChars) == std::string_view::npos;
}

sdk::Result<Pattern> compile_one(std::string_view raw) {
  bool exception = false;
  std::string_view text = raw;
  if (text[0] == '!') {
    if (text.size() == 1) return sdk::Status::invalid_argument("illegal exclusion pattern: \"!\"");
    exception = true;
    text.remove_prefix(1);
  }
  std::string cleaned = clean_path(text);
  if (cleaned[0] == '/') cleaned.erase(0, 1);
  if (cleaned.empty() && exception) {
    return sdk::Status::invalid_argument("illegal exclusion pattern: \"" + std::string(raw) + "\"");
  }
  // filepath.Match reports syntax errors whatever the name; "." is what Docker checks against.
  auto valid = match_glob(cleaned, ".");
  if (!valid) return valid.status();
  return Pattern(std::move(cleaned), exception);
}

}  // namespace

sdk::Result<PatternMatcher> PatternMatcher::compile(std::vector<std::string> patterns) {
  PatternMatcher matcher;
  matcher.patterns_.reserve(patterns.size());
  for (const std::string& raw : patterns) {
    const std::string_view trimmed = trim_space(raw);
    if (trimmed.empty()) continue;
    auto pattern = compile_one(trimmed);
    if (!pattern) return pattern.status();
    if (pattern->text().empty()) continue;  // "/" names the root itself, which is never matched
    if (pattern->exception()) {
      matcher.has_exclusions_ = true;
      if (!is_literal(*pattern)) matcher.literal_exceptions_ = false;
    } else if (!is_literal(*pattern)) {
      matcher.literal_inclusions_ = false;
    }
    matcher.patterns_.push_back(std::move(*pattern));
  }
  return matcher;
}

// Tries the pattern against each parent directory of `path`, shortest first, as Docker does:
// the parents are the '/'-separated prefixes of filepath.Dir(path). Errors there are ignored,
// as upstream: the pattern was already tried (and succeeded) on the path itself.
bool PatternMatcher::matches_a_parent(const Pattern& pattern, std::string_view path) const {
  const std::string parent = dir_path(path);
  if (parent == ".") return false;
  std::size_t end = 0;
  while (true) {
    end = parent.find('/', end);
    const std::string_view prefix = std::string_view(parent).substr(0, end);
    auto hit = pattern.matches(prefix);
    if (hit && *hit) return true;
    if (end == std::string::npos) return false;
    ++end;
  }
}

sdk::Result<bool> PatternMatcher::matches(std::string_view path) const {
  bool matched = false;
  for (const Pattern& pattern : patterns_) {
    if (pattern.exception() != matched) continue;  // cannot change the outcome
    auto hit = pattern.matches(path);
    if (!hit) return hit.status();
    if (*hit || matches_a_parent(pattern, path)) matched = !pattern.exception();
  }
  return matched;
}

sdk::Result<bool> PatternMatcher::matches_incrementally(std::string_view path, const MatchInfo& parent,
                                                        MatchInfo& info) const {
  const std::vector<bool>& parent_matched = parent.parent_matched_;
  if (!parent_matched.empty() && parent_matched.size() != patterns_.size()) {
    return sdk::Status::invalid_argument("the parent directory's match info comes from another pattern list");
  }
  std::vector<bool> matched_here(patterns_.size(), false);
  bool matched = false;
  for (std::size_t i = 0; i < patterns_.size(); ++i) {
    const Pattern& pattern = patterns_[i];
    bool hit = !parent_matched.empty() && parent_matched[i];
    if (!hit) {
      if (pattern.exception() != matched) continue;
      auto direct = pattern.matches(path);
      if (!direct) return direct.status();
      hit = *direct || (parent_matched.empty() && matches_a_parent(pattern, path));
    }
    matched_here[i] = hit;
    if (hit) matched = !pattern.exception();
  }
  info.parent_matched_ = std::move(matched_here);
  return matched;
}

bool PatternMatcher::some_pattern_below(std::string_view dir, bool exceptions) const {
  std::string dir_slash(dir);
  dir_slash += '/';
  for (const Pattern& pattern : patterns_) {
    if (pattern.exception() != exceptions) continue;
    std::string candidate(without_trailing_glob(pattern.text()));
    candidate += '/';
    if (candidate.starts_with(dir_slash)) return true;
  }
  return false;
}

bool PatternMatcher::may_match_below(std::string_view dir) const {
  if (!literal_inclusions_) return true;
  return some_pattern_below(dir, false);
}

bool PatternMatcher::exceptions_may_match_below(std::string_view dir) const {
  if (!has_exclusions_) return false;
  if (!literal_exceptions_) return true;
  return some_pattern_below(dir, true);
}

}  // namespace dbuild::patterns
