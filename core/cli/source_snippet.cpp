// source_snippet.cpp: reading the lines and marking them, with BuildKit's padding and layout
// (errdefs.Source.Print), so that output reads the same as buildx's.
#include "cli/source_snippet.hpp"

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace dbuild::cli {
namespace {

// The text split at every "\n", as Go's strings.Split does: a final newline leaves an empty line.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  lines.push_back(text.substr(start));
  return lines;
}

}  // namespace

std::vector<SourceLine> source_lines(const std::string& text, const sdk::SourceLocation& location) {
  if (location.line <= 0) return {};
  const auto lines = split_lines(text);
  const int count = static_cast<int>(lines.size());
  const int first = location.line, last = std::min(std::max(location.end_line, location.line), count);
  if (first > count) return {};
  // BuildKit's loop: about two lines of context each side of one line, one around a range.
  int from = first, to = last;
  const int pad = first == last ? 4 : 2;
  for (int padded = 0; padded < pad; ++padded) {
    if (from > 1) {
      --from;
      ++padded;
    }
    if (to != count) {
      ++to;
      ++padded;
    }
  }
  std::vector<SourceLine> snippet;
  for (int number = from; number <= to; ++number)
    snippet.push_back({number, lines[number - 1], number >= first && number <= last});
  return snippet;
}

void print_source_lines(std::ostream& out, const std::filesystem::path& file, const sdk::SourceLocation& location) {
  if (location.line <= 0 || file.empty()) return;
  if (std::filesystem::path(location.file).filename() != file.filename()) return;
  std::ifstream in(file, std::ios::binary);
  print_source_text(out, std::string((std::istreambuf_iterator<char>(in)), {}), location);
}

void print_source_text(std::ostream& out, const std::string& text, const sdk::SourceLocation& location) {
  const auto snippet = source_lines(text, location);
  if (snippet.empty()) return;
  const std::string ruler(20, '-');
  out << location.file << ":" << location.line << "\n" << ruler << "\n";
  for (const auto& line : snippet) out << fmt::format(" {:>3} | {} {}\n", line.number, line.marked ? ">>>" : "   ", line.text);
  out << ruler << "\n";
}

void print_source_snippet(std::ostream& out, const std::filesystem::path& file, const sdk::Status& status) {
  if (status.location()) print_source_lines(out, file, *status.location());
}

}  // namespace dbuild::cli
