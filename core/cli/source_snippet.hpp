// source_snippet.hpp: the lines of the user's Dockerfile an error or a check warning points at,
// printed as BuildKit prints them: the file and line, then the lines around it with ">>>"
// marking the culprits.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::cli {

/// One line of a snippet: its number in the file, its text, and whether the location covers it.
struct SourceLine {
  int number = 0;
  std::string text;
  bool marked = false;
};

/// The lines of `text` (a file's) at `location`, with BuildKit's context around them; none when
/// the location is past the end.
[[nodiscard]] std::vector<SourceLine> source_lines(const std::string& text, const sdk::SourceLocation& location);

/// Prints the lines at `location` when it is in the file named like `file`; else nothing.
void print_source_lines(std::ostream& out, const std::filesystem::path& file, const sdk::SourceLocation& location);

/// The same for a file's text (as the build history keeps the Dockerfile it built).
void print_source_text(std::ostream& out, const std::string& text, const sdk::SourceLocation& location);

/// Prints the snippet when `status` has a location in the file named like `file`; else nothing.
void print_source_snippet(std::ostream& out, const std::filesystem::path& file, const sdk::Status& status);

}  // namespace dbuild::cli
