// directives.hpp: parser directives, the `# key=value` comments at the very top of a Dockerfile
// (syntax, escape, check), found as BuildKit finds them: only in the leading block of comment
// lines, keys case-insensitive, each key once; `syntax` also as `// syntax=` or a JSON object.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::dockerfile {

struct Directive {
  std::string name;   // lower case: "escape", "syntax", "check"
  std::string value;  // the text after '=', surrounding white space trimmed
  int line = 0;       // 1-based
};

/// Reads directives line by line until the first line that is not one (a blank line, an
/// instruction, an ordinary comment, an unknown key). Feed it lines without their newline.
class DirectiveParser {
 public:
  /// `comment` is the prefix a directive line starts with: "#", or "//" for DetectSyntax's
  /// C-style fallback. `first_line` is the line number before the first fed line.
  explicit DirectiveParser(std::string comment = "#", int first_line = 0)
      : comment_(std::move(comment)), line_(first_line) {}

  /// The directive on this line, nullopt when there is none (and from then on, always none).
  /// Errors: invalid_argument "only one <key> parser directive can be used".
  [[nodiscard]] sdk::Result<std::optional<Directive>> parse_line(std::string_view line);
  [[nodiscard]] bool done() const noexcept { return done_; }

 private:
  std::string comment_;
  int line_ = 0;
  bool done_ = false;
  std::vector<std::string> seen_;
};

/// Every directive of the leading block (DirectiveParser.ParseAll); stops quietly at a duplicate.
[[nodiscard]] std::vector<Directive> parse_all_directives(std::string_view text);

struct FoundDirective {
  std::string value;    // the directive's value up to its first space ("docker/dockerfile:1")
  std::string cmdline;  // the whole value ("docker/dockerfile:1 // opts")
  int line = 0;         // 1-based; a skipped `#!` first line counts
};

/// The `syntax` directive: `# syntax=`, else `// syntax=`, else a whole-file JSON object with a
/// string member "syntax". A BOM and a `#!` first line are skipped.
[[nodiscard]] std::optional<FoundDirective> detect_syntax(std::string_view text);

/// Another directive (e.g. "check"), `#` form only, with the same BOM and `#!` rules.
[[nodiscard]] std::optional<FoundDirective> find_directive(std::string_view key, std::string_view text);

/// Strips a leading UTF-8 byte order mark.
[[nodiscard]] std::string_view discard_bom(std::string_view text) noexcept;

}  // namespace dbuild::dockerfile
