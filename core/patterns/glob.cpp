// glob.cpp: Go's filepath.Match. The pattern is split into chunks, each an optional leading star
// and a run of single-character terms; a chunk is always read to its end, even after the match
// failed, so that a malformed class inside it is reported whatever the name is.
#include "patterns/glob.hpp"

#include <string>

#include "patterns/go_text.hpp"

namespace dbuild::patterns {
namespace {

struct Chunk {
  bool star = false;
  std::string_view terms;
  std::string_view rest;
};

Chunk next_chunk(std::string_view pattern) {
  Chunk chunk;
  while (!pattern.empty() && pattern[0] == '*') {
    pattern.remove_prefix(1);
    chunk.star = true;
  }
  bool in_class = false;
  std::size_t i = 0;
  for (; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) ++i;  // a trailing '\' is reported by match_chunk
    } else if (c == '[') {
      in_class = true;
    } else if (c == ']') {
      in_class = false;
    } else if (c == '*' && !in_class) {
      break;
    }
  }
  chunk.terms = pattern.substr(0, i);
  chunk.rest = pattern.substr(i);
  return chunk;
}

// One member rune of a class (Go's getEsc). A member is never '-' or ']' unescaped, and the
// class must go on after it (at least its closing ']'), hence the end-of-chunk check.
bool read_class_rune(std::string_view& terms, char32_t& rune) {
  if (terms.empty() || terms[0] == '-' || terms[0] == ']') return false;
  if (terms[0] == '\\') {
    terms.remove_prefix(1);
    if (terms.empty()) return false;
  }
  const DecodedRune decoded = decode_rune(terms);
  if (decoded.rune == kRuneError && decoded.width == 1) return false;
  terms.remove_prefix(decoded.width);
  rune = decoded.rune;
  return !terms.empty();
}

// Reads one class (after its '[') and reports whether `rune` is in it; false on bad syntax.
bool read_class(std::string_view& terms, char32_t rune, bool& in_class) {
  bool negated = false;
  if (!terms.empty() && terms[0] == '^') {
    negated = true;
    terms.remove_prefix(1);
  }
  bool member = false;
  for (int ranges = 0;; ++ranges) {
    if (!terms.empty() && terms[0] == ']' && ranges > 0) {
      terms.remove_prefix(1);
      break;
    }
    char32_t lo = 0;
    if (!read_class_rune(terms, lo)) return false;
    char32_t hi = lo;
    if (terms[0] == '-') {
      terms.remove_prefix(1);
      if (!read_class_rune(terms, hi)) return false;
    }
    if (lo <= rune && rune <= hi) member = true;
  }
  in_class = member != negated;
  return true;
}

enum class ChunkMatch { Matched, Failed, BadPattern };

// Matches the chunk's terms against the start of `name`; on Matched, `name` keeps the rest.
ChunkMatch match_chunk(std::string_view terms, std::string_view& name) {
  bool failed = false;
  std::string_view text = name;
  while (!terms.empty()) {
    if (!failed && text.empty()) failed = true;
    const char term = terms[0];
    if (term == '[') {
      char32_t rune = kRuneError;
      if (!failed) {
        const DecodedRune decoded = decode_rune(text);
        rune = decoded.rune;
        text.remove_prefix(decoded.width);
      }
      terms.remove_prefix(1);
      bool in_class = false;
      if (!read_class(terms, rune, in_class)) return ChunkMatch::BadPattern;
      if (!in_class) failed = true;
      continue;
    }
    if (term == '?') {
      if (!failed) {
        if (text[0] == '/') failed = true;
        text.remove_prefix(decode_rune(text).width);
      }
      terms.remove_prefix(1);
      continue;
    }
    if (term == '\\') {
      terms.remove_prefix(1);
      if (terms.empty()) return ChunkMatch::BadPattern;
    }
    if (!failed) {
      if (terms[0] != text[0]) failed = true;
      text.remove_prefix(1);
    }
    terms.remove_prefix(1);
  }
  if (failed) return ChunkMatch::Failed;
  name = text;
  return ChunkMatch::Matched;
}

}  // namespace

sdk::Status bad_pattern(std::string_view pattern) {
  return sdk::Status::invalid_argument("syntax error in pattern \"" + std::string(pattern) + "\"");
}

sdk::Result<bool> match_glob(std::string_view pattern, std::string_view name) {
  const std::string_view whole = pattern;
  while (!pattern.empty()) {
    const Chunk chunk = next_chunk(pattern);
    pattern = chunk.rest;
    if (chunk.star && chunk.terms.empty()) return name.find('/') == std::string_view::npos;
    std::string_view rest = name;
    const ChunkMatch here = match_chunk(chunk.terms, rest);
    // The last chunk must use up the name, or a later star position may still do it.
    if (here == ChunkMatch::Matched && (rest.empty() || !pattern.empty())) {
      name = rest;
      continue;
    }
    if (here == ChunkMatch::BadPattern) return bad_pattern(whole);
    if (!chunk.star) return false;
    bool advanced = false;
    for (std::size_t skip = 0; skip < name.size() && name[skip] != '/'; ++skip) {
      rest = name.substr(skip + 1);
      const ChunkMatch later = match_chunk(chunk.terms, rest);
      if (later == ChunkMatch::BadPattern) return bad_pattern(whole);
      if (later != ChunkMatch::Matched || (pattern.empty() && !rest.empty())) continue;
      name = rest;
      advanced = true;
      break;
    }
    if (!advanced) return false;
  }
  return name.empty();
}

}  // namespace dbuild::patterns
