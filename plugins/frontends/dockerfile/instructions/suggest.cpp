// suggest.cpp: Levenshtein distance over runes and the suggestion suffix.
#include "instructions/suggest.hpp"

#include <algorithm>
#include <numeric>

#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

namespace text = parser_text;

std::vector<char32_t> runes_of(std::string_view s) {
  std::vector<char32_t> out;
  while (!s.empty()) {
    const auto rune = text::decode_rune(s);
    out.push_back(rune.value);
    s.remove_prefix(rune.width);
  }
  return out;
}

std::size_t distance(std::string_view a, std::string_view b) {
  const auto x = runes_of(a);
  const auto y = runes_of(b);
  std::vector<std::size_t> row(y.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= x.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= y.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[y.size()];
}

// The candidate in `value`'s case: all lower, all upper, or as listed.
std::string match_case(const std::string& candidate, std::string_view value) {
  if (value == text::to_lower(value)) return text::to_lower(candidate);
  if (value == text::to_upper(value)) return text::to_upper(candidate);
  return candidate;
}

}  // namespace

std::string with_suggestion(std::string message, std::string_view value, std::vector<std::string> candidates,
                            bool case_sensitive) {
  // BuildKit walks a Go map (random order); sorted order keeps ties deterministic.
  std::sort(candidates.begin(), candidates.end());
  const std::string wanted = case_sensitive ? std::string(value) : text::to_lower(value);
  std::string match;
  std::size_t best = 3;
  for (const auto& candidate : candidates) {
    const std::string option = case_sensitive ? candidate : text::to_lower(candidate);
    if (option == wanted) return message;
    const std::size_t d = distance(wanted, option);
    if (d < best) {
      best = d;
      match = case_sensitive ? option : match_case(option, value);
    }
  }
  if (match.empty()) return message;
  return message + " (did you mean " + match + "?)";
}

}  // namespace dbuild::dockerfile
