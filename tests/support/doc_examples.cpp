// doc_examples.cpp: fenced code blocks of Markdown pages (see doc_examples.hpp).
#include "support/doc_examples.hpp"

#include <fstream>
#include <sstream>

namespace dbuild::test {

std::vector<std::string> fenced_blocks(const std::string& markdown, const std::string& language) {
  const std::string open = "```" + language + "\n";
  std::vector<std::string> blocks;
  for (auto at = markdown.find(open); at != std::string::npos; at = markdown.find(open, at)) {
    at += open.size();
    const auto end = markdown.find("```", at);
    if (end == std::string::npos) break;  // an unclosed block: what precedes it is still returned
    blocks.push_back(markdown.substr(at, end - at));
    at = end + 3;
  }
  return blocks;
}

std::string text_of(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace dbuild::test
