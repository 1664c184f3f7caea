// parser.hpp: Dockerfile text -> syntax tree (ast.hpp), as BuildKit's frontend/dockerfile/parser
// builds it: directives, comments, line continuations with the escape token, heredocs,
// per-instruction argument splitting, line numbers, and the warnings parsing itself gives.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "parser/ast.hpp"

namespace dbuild::dockerfile {

/// The parser directives at the top of the file (see directives.hpp for the rules).
struct Directives {
  char escape = '\\';          // the escape token: '\\' or '`'
  int escape_line = 0;         // 1-based line of `# escape=`, 0 when absent
  std::string syntax;          // `# syntax=` value up to its first space, "" when absent
  std::string syntax_cmdline;  // the whole value
  int syntax_line = 0;
  std::string check;           // `# check=` value up to its first space ("skip=all;error=true")
  std::string check_cmdline;
  int check_line = 0;
};

struct ParseResult {
  Node root;  // the instructions are root.next, in file order
  std::vector<Warning> warnings;
  Directives directives;
};

/// Parses a whole Dockerfile. Unknown instructions are kept (the instruction parser rejects
/// them). Errors: invalid_argument with BuildKit's message and a location in file "Dockerfile"
/// (the caller may rename it): "file with no instructions", "unterminated heredoc", "dockerfile
/// line greater than max allowed size of 65535", "ENV must have two arguments", "when using JSON
/// array syntax, arrays must be comprised of strings only", "invalid escape token ...", "only one
/// escape parser directive can be used". Thread-safe: no shared state.
[[nodiscard]] sdk::Result<ParseResult> parse(std::string_view text);

/// BuildKit's AST dump (Node.Dump()): one `(keyword ["--flags"] "arg" ...)` line per instruction,
/// arguments in Go's %q form, ONBUILD's trigger nested as `(onbuild (run "x"))`. No final newline.
[[nodiscard]] std::string dump(const Node& root);

/// One instruction's dump, without the surrounding parentheses.
[[nodiscard]] std::string dump_instruction(const Node& instruction);

}  // namespace dbuild::dockerfile
