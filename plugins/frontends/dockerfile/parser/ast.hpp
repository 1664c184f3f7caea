// ast.hpp: the Dockerfile syntax tree, as BuildKit's parser builds it: one node per
// instruction, its arguments as a chain of words (how each instruction splits them is the
// parser's rule, see parser.hpp), its flags, heredocs and source lines.
#pragma once

#include <string>
#include <vector>

namespace dbuild::dockerfile {

struct Heredoc {
  std::string name;         // the delimiter word, "EOF"
  std::string content;      // the body, with its final newline
  int file_descriptor = 0;  // <<EOF is 0; 3<<EOF is 3
  bool expand = true;       // false when the delimiter was quoted ('EOF', "EOF")
  bool chomp = false;       // <<-EOF: leading tabs removed from each line
};

/// The root node (parse()'s result) holds the instructions, in file order, in `next`, and spans
/// the lines from the first instruction's start to the last one's end.
struct Node {
  std::string value;               // instruction: lower-cased keyword; argument: the word
  std::vector<Node> next;          // instruction: its arguments in order; root: the instructions
  std::vector<Node> children;      // ONBUILD: the wrapped instruction (one node)
  std::vector<std::string> flags;  // "--from=build", "--chown=1:1", as written
  std::vector<Heredoc> heredocs;   // an ONBUILD's heredocs sit on the ONBUILD node
  std::string original;            // the instruction's full text, continuations joined
  bool json = false;               // the arguments were a JSON array (exec form)
  int start_line = 0;              // 1-based lines the instruction spans, comments included
  int end_line = 0;
  std::string keyword_as_written;     // instruction: "Run" as typed (messages, casing lints)
  std::vector<std::string> comments;  // instruction: the comment lines just above it, '#' removed
};

struct Warning {
  std::string short_message;  // "Empty continuation line"
  std::string detail;
  std::string url;
  int line = 0;  // 1-based, 0 when not about one line
};

}  // namespace dbuild::dockerfile
