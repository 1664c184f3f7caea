// pattern.cpp: translates a pattern to patternmatcher's regexp and match kind. The translation is
// reproduced character for character, because the regexp is what defines Docker's behaviour for
// the corner cases (classes, escapes, `**` in the middle of a name).
#include "patterns/pattern.hpp"

#include "patterns/glob.hpp"
#include "patterns/go_text.hpp"

namespace dbuild::patterns {
namespace {

// Characters that mean something to a regexp but nothing to filepath.Match, which Docker
// escapes; the others pass through and keep their regexp meaning. patternmatcher means to escape
// `.+()|{}$`, but its lookup table is a byte too narrow for characters above 63, so `|`, `{` and
// `}` reach the regexp unescaped: in a pattern with a wildcard, "a*|b" is the alternation
// "^a[^/]*" or "b$", and "x*{2}" is a repetition. Docker behaves that way, so dbuild does too.
constexpr bool needs_regex_escape(char32_t rune) {
  switch (rune) {
    case '.':
    case '+':
    case '(':
    case ')':
    case '$': return true;
    default: return false;
  }
}

struct Translation {
  Pattern::Kind kind = Pattern::Kind::Exact;
  std::string regex;
};

Translation translate(std::string_view text) {
  Translation out{.kind = Pattern::Kind::Exact, .regex = "^"};
  std::string_view rest = text;
  auto next = [&rest] {
    const DecodedRune decoded = decode_rune(rest);
    rest.remove_prefix(decoded.width);
    return decoded.rune;
  };
  auto peek = [&rest]() -> char32_t { return rest.empty() ? char32_t{0xFFFFFFFF} : decode_rune(rest).rune; };
  for (bool first = true; !rest.empty(); first = false) {
    const char32_t c = next();
    if (c == '*' && peek() == '*') {
      next();
      if (peek() == '/') next();  // "**/" is read as "**"
      if (rest.empty()) {
        // A trailing "**" accepts everything below, as in .gitignore.
        if (out.kind == Pattern::Kind::Exact) {
          out.kind = Pattern::Kind::Prefix;
        } else {
          out.regex += ".*";
          out.kind = Pattern::Kind::Regex;
        }
      } else {
        out.regex += "(.*/)?";  // any number of directories, including none
        out.kind = Pattern::Kind::Regex;
      }
      if (first) out.kind = Pattern::Kind::Suffix;
    } else if (c == '*') {
      out.regex += "[^/]*";
      out.kind = Pattern::Kind::Regex;
    } else if (c == '?') {
      out.regex += "[^/]";
      out.kind = Pattern::Kind::Regex;
    } else if (needs_regex_escape(c)) {
      out.regex += '\\';
      append_utf8(out.regex, c);
    } else if (c == '\\') {
      out.regex += '\\';
      if (!rest.empty()) {
        append_utf8(out.regex, next());
        out.kind = Pattern::Kind::Regex;
      }
    } else if (c == '[' || c == ']') {
      append_utf8(out.regex, c);
      out.kind = Pattern::Kind::Regex;
    } else {
      append_utf8(out.regex, c);
    }
  }
  out.regex += '$';
  return out;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

Pattern::Pattern(std::string text, bool exception) : text_(std::move(text)), exception_(exception) {
  Translation translation = translate(text_);
  kind_ = translation.kind;
  if (kind_ != Kind::Regex) return;
  regex_text_ = std::move(translation.regex);
  auto program = RegexProgram::compile(regex_text_);
  if (program) {
    regex_ = std::move(*program);
  } else {
    regex_error_ = program.status().message();
  }
}

sdk::Result<bool> Pattern::matches(std::string_view path) const {
  switch (kind_) {
    case Kind::Exact: return path == text_;
    case Kind::Prefix: return path.starts_with(std::string_view(text_).substr(0, text_.size() - 2));
    case Kind::Suffix: {
      const std::string_view suffix = std::string_view(text_).substr(2);
      if (ends_with(path, suffix)) return true;
      return suffix[0] == '/' && path == suffix.substr(1);  // "**/foo" matches "foo"
    }
    case Kind::Regex:
      if (!regex_) {
        return sdk::Status::invalid_argument("syntax error in pattern \"" + text_ + "\" (" + regex_error_ + ")");
      }
      return regex_->matches(path);
  }
  return false;
}

}  // namespace dbuild::patterns
