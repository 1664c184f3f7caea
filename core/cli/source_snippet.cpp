// source_snippet.cpp: reading the lines and marking them.
#include "cli/source_snippet.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace dbuild::cli {

void print_source_snippet(std::ostream& out, const std::filesystem::path& file, const sdk::Status& status) {
  const auto& location = status.location();
  if (!location || location->line <= 0 || file.empty()) return;
  if (std::filesystem::path(location->file).filename() != file.filename()) return;
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const int first = location->line, last = std::max(location->end_line, location->line);
  if (first > static_cast<int>(lines.size())) return;
  const int from = std::max(1, first - 2), to = std::min(static_cast<int>(lines.size()), last + 2);
  const int width = static_cast<int>(std::to_string(to).size()) + 2;
  out << location->file << ":" << first << "\n--------------------\n";
  for (int number = from; number <= to; ++number) {
    const bool marked = number >= first && number <= last;
    out << fmt::format("{:>{}} | {}{}\n", number, width, marked ? ">>> " : "    ", lines[number - 1]);
  }
  out << "--------------------\n";
}

}  // namespace dbuild::cli
