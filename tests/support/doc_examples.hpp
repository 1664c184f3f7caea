// doc_examples.hpp: the fenced code blocks of a Markdown page (```sql ... ```), for tests that run
// the examples of share/doc/ so that the documentation stays true.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dbuild::test {

/// The bodies of the blocks fenced as ```LANGUAGE in `markdown`, in order.
[[nodiscard]] std::vector<std::string> fenced_blocks(const std::string& markdown, const std::string& language);

/// A file's text; empty when it cannot be read.
[[nodiscard]] std::string text_of(const std::filesystem::path& file);

}  // namespace dbuild::test
