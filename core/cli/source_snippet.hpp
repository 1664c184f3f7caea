// source_snippet.hpp: the lines of the user's Dockerfile an error or a check warning points at,
// printed as BuildKit prints them: the file and line, then the lines around it with ">>>"
// marking the culprits.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

#include <dbuild/sdk/status.hpp>

namespace dbuild::cli {

/// Prints the lines at `location` when it is in the file named like `file`; else nothing.
void print_source_lines(std::ostream& out, const std::filesystem::path& file, const sdk::SourceLocation& location);

/// The same for a file's text (as the build history keeps the Dockerfile it built).
void print_source_text(std::ostream& out, const std::string& text, const sdk::SourceLocation& location);

/// Prints the snippet when `status` has a location in the file named like `file`; else nothing.
void print_source_snippet(std::ostream& out, const std::filesystem::path& file, const sdk::Status& status);

}  // namespace dbuild::cli
