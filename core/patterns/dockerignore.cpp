// dockerignore.cpp: the .dockerignore line rules (see dockerignore.hpp).
#include "patterns/dockerignore.hpp"

#include "patterns/go_text.hpp"

namespace dbuild::patterns {
namespace {

// Go's bufio.Scanner, which Docker reads the file with, gives up on longer lines.
constexpr std::size_t kMaxLineBytes = 64 * 1024 - 1;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

std::string normalise(std::string_view line) {
  std::string_view text = trim_space(line);
  const bool exception = text[0] == '!';
  if (exception) text = trim_space(text.substr(1));
  std::string pattern;
  if (!text.empty()) {
    pattern = clean_path(text);
    if (pattern.size() > 1 && pattern[0] == '/') pattern.erase(0, 1);
  }
  return exception ? "!" + pattern : pattern;
}

}  // namespace

sdk::Result<std::vector<std::string>> parse_dockerignore(std::string_view text) {
  std::vector<std::string> patterns;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.size() > kMaxLineBytes) {
      return sdk::Status::invalid_argument("line " + std::to_string(line_number + 1) + " is longer than 65535 bytes");
    }
    if (line_number++ == 0 && line.starts_with(kByteOrderMark)) line.remove_prefix(kByteOrderMark.size());
    if (line.starts_with('#') || trim_space(line).empty()) continue;
    patterns.push_back(normalise(line));
  }
  return patterns;
}

std::vector<std::string> dockerignore_candidates(std::string_view dockerfile_path) {
  std::vector<std::string> candidates;
  if (!dockerfile_path.empty()) candidates.push_back(std::string(dockerfile_path) + ".dockerignore");
  candidates.emplace_back(".dockerignore");
  return candidates;
}

}  // namespace dbuild::patterns
