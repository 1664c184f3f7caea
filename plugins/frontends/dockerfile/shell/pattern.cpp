// pattern.cpp: BuildKit's shell patterns as the Go regexps it compiles them to. Matching is a
// dynamic program over (token, position) instead of a regexp engine: with only literals, `.` and
// one kind of star, the leftmost-first answer from each start follows from the answers after it.
#include "shell/pattern.hpp"

#include <algorithm>
#include <utility>

namespace dbuild::dockerfile::shell_pattern {
namespace {

using go_text::Rune;
constexpr long kNoMatch = -1;

// A value as Go's regexp reads it: runes (bad bytes as U+FFFD) and where each begins.
struct RuneText {
  std::vector<Rune> runes;
  std::vector<std::size_t> offsets;  // runes.size() + 1 entries; the last is the byte length
};

RuneText decode(std::string_view text) {
  RuneText out;
  std::size_t offset = 0;
  while (offset < text.size()) {
    const go_text::Decoded decoded = go_text::decode_rune(text.substr(offset));
    out.runes.push_back(decoded.rune);
    out.offsets.push_back(offset);
    offset += decoded.width;
  }
  out.offsets.push_back(offset);
  return out;
}

bool is_name_rune(Rune rune) { return go_text::is_letter(rune) || go_text::is_digit(rune) || rune == '_'; }

// Go's regexp.Expand for a regexp without groups: after a `$`, reads `name` or `{name}` and
// reports whether it was well formed; only group 0 (the whole match) exists.
bool extract_group(std::string_view& template_text, std::string& name) {
  std::string_view text = template_text;
  const bool brace = !text.empty() && text[0] == '{';
  if (brace) text.remove_prefix(1);
  std::size_t length = 0;
  while (length < text.size()) {
    const go_text::Decoded decoded = go_text::decode_rune(text.substr(length));
    if (!is_name_rune(decoded.rune)) break;
    length += decoded.width;
  }
  if (length == 0) return false;
  name = std::string(text.substr(0, length));
  if (brace) {
    if (length >= text.size() || text[length] != '}') return false;
    ++length;
  }
  template_text = text.substr(length);
  return true;
}

void expand_replacement(std::string& out, std::string_view template_text, std::string_view match) {
  for (;;) {
    const std::size_t dollar = template_text.find('$');
    if (dollar == std::string_view::npos) break;
    out += template_text.substr(0, dollar);
    template_text.remove_prefix(dollar + 1);
    if (!template_text.empty() && template_text[0] == '$') {
      out += '$';
      template_text.remove_prefix(1);
      continue;
    }
    std::string name;
    if (!extract_group(template_text, name)) {
      out += '$';
      continue;
    }
    if (name == "0") out += match;  // "00" is not group 0: Go disallows leading zeros
  }
  out += template_text;
}

sdk::Status invalid_pattern(std::string_view pattern, const sdk::Status& cause) {
  return sdk::Status::invalid_argument("invalid pattern (" + std::string(pattern) +
                                       ") in substitution: " + cause.message());
}

}  // namespace

sdk::Result<Pattern> Pattern::compile(std::string_view pattern, Stars stars, Anchor anchor) {
  Pattern compiled;
  compiled.stars_ = stars;
  compiled.anchor_ = anchor;
  go_text::Scanner scanner(pattern);
  for (Rune token = scanner.next(); token != go_text::kEof; token = scanner.next()) {
    if (token == '*') {
      // `.*.*` matches as `.*` does, so runs of stars collapse and the program stays short.
      if (compiled.tokens_.empty() || compiled.tokens_.back().kind != Kind::AnyRun) {
        compiled.tokens_.push_back({Kind::AnyRun});
      }
      continue;
    }
    if (token == '?') {
      compiled.tokens_.push_back({Kind::AnyRune});
      continue;
    }
    if (token == '\\') {
      // `}` and `/` had to be escaped to fit in ${...}; the escape is not part of the pattern.
      if (scanner.peek() == '}' || scanner.peek() == '/') continue;
      token = scanner.next();
      if (token != '*' && token != '?' && token != '\\') {
        return sdk::Status::invalid_argument("invalid escape '\\" + go_text::rune_string(token) + "'");
      }
    }
    compiled.tokens_.push_back({Kind::Literal, token});
  }
  return compiled;
}

std::vector<long> Pattern::match_ends(const std::vector<Rune>& runes) const {
  const std::size_t size = runes.size();
  std::vector<long> after(size + 1);
  std::vector<long> here(size + 1);
  for (std::size_t start = 0; start <= size; ++start) after[start] = static_cast<long>(start);
  for (auto token = tokens_.rbegin(); token != tokens_.rend(); ++token) {
    if (token->kind == Kind::AnyRun) {
      // A star takes runes up to the next newline (Go's `.` does not match "\n"); the longest
      // (or shortest) take after which the rest matches wins, as a backtracking engine finds.
      long chosen = kNoMatch;
      for (std::size_t start = size + 1; start-- > 0;) {
        if (start < size && runes[start] == '\n') chosen = kNoMatch;
        if (after[start] != kNoMatch && (stars_ == Stars::Shortest || chosen == kNoMatch)) chosen = after[start];
        here[start] = chosen;
      }
    } else {
      for (std::size_t start = 0; start <= size; ++start) {
        const bool fits =
            start < size && (token->kind == Kind::AnyRune ? runes[start] != '\n' : runes[start] == token->rune);
        here[start] = fits ? after[start + 1] : kNoMatch;
      }
    }
    std::swap(here, after);
  }
  return after;
}

std::optional<Pattern::Match> Pattern::find(std::string_view value) const {
  const RuneText text = decode(value);
  const std::vector<long> ends = match_ends(text.runes);
  const std::size_t last_start = anchor_ == Anchor::Start ? 0 : text.runes.size();
  for (std::size_t start = 0; start <= last_start; ++start) {
    if (ends[start] == kNoMatch) continue;
    return Match{text.offsets[start], text.offsets[static_cast<std::size_t>(ends[start])]};
  }
  return std::nullopt;
}

std::string Pattern::replace_all(std::string_view value, std::string_view replacement) const {
  // Go's replaceAll loop, in rune positions: an empty match right after a match is not
  // replaced, and the search always moves on by at least one rune.
  const RuneText text = decode(value);
  const std::size_t size = text.runes.size();
  const std::vector<long> ends = match_ends(text.runes);
  const auto bytes = [&](std::size_t from, std::size_t to) {
    return value.substr(text.offsets[from], text.offsets[to] - text.offsets[from]);
  };
  std::string out;
  std::size_t last_match_end = 0;
  std::size_t search = 0;
  while (search <= size) {
    std::size_t start = search;
    while (start <= size && ends[start] == kNoMatch) ++start;
    if (start > size || (anchor_ == Anchor::Start && start != 0)) break;
    const auto end = static_cast<std::size_t>(ends[start]);
    out += bytes(last_match_end, start);
    if (end > last_match_end || start == 0) expand_replacement(out, replacement, bytes(start, end));
    last_match_end = end;
    const std::size_t width = search < size ? 1 : 0;
    if (search + width > end) {
      search += width;
    } else if (search + 1 > end) {
      ++search;
    } else {
      search = end;
    }
  }
  out += bytes(last_match_end, size);
  return out;
}

sdk::Result<std::string> trim_prefix(std::string_view pattern, std::string_view value, Stars stars) {
  auto compiled = Pattern::compile(pattern, stars, Anchor::Start);
  if (!compiled) return invalid_pattern(pattern, compiled.status());
  const auto match = compiled->find(value);
  if (!match) return std::string(value);
  return std::string(value.substr(match->end));
}

sdk::Result<std::string> trim_suffix(std::string_view pattern, std::string_view value, Stars stars) {
  // Regexps find the leftmost match only, so BuildKit searches the reversed value.
  auto trimmed = trim_prefix(reverse_pattern(pattern), reverse_string(value), stars);
  if (!trimmed) return trimmed.status();
  return reverse_string(*trimmed);
}

std::string reverse_pattern(std::string_view pattern) {
  const std::vector<Rune> runes = go_text::runes_of(pattern);
  std::vector<Rune> out(runes.size());
  const std::size_t size = runes.size();
  for (std::size_t index = 0; index < size;) {
    const std::size_t mirrored = size - 1 - index;
    if (runes[index] == '\\' && index + 1 < size) {
      out[mirrored - 1] = runes[index];
      out[mirrored] = runes[index + 1];
      index += 2;
    } else {
      out[mirrored] = runes[index];
      ++index;
    }
  }
  return go_text::string_of(out);
}

std::string reverse_string(std::string_view text) {
  std::vector<Rune> runes = go_text::runes_of(text);
  std::reverse(runes.begin(), runes.end());
  return go_text::string_of(runes);
}

}  // namespace dbuild::dockerfile::shell_pattern
