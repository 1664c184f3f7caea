// directives.cpp: BuildKit's directive rules (parser/directives.go): the pattern
// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` after the comment prefix, known keys only.
#include "parser/directives.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

namespace text = parser_text;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
// RE2's \s: [\t\n\f\r ].
bool is_regexp_space(char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; }

std::string_view trim_regexp_space(std::string_view s) {
  while (!s.empty() && is_regexp_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_regexp_space(s.back())) s.remove_suffix(1);
  return s;
}

// The key and value of `key = value`, or nullopt when the line does not have that shape.
std::optional<std::pair<std::string, std::string>> match_directive(std::string_view line) {
  if (line.empty() || !is_alpha(line[0])) return std::nullopt;
  std::size_t end = 1;
  while (end < line.size() && is_alnum(line[end])) ++end;
  std::size_t pos = end;
  while (pos < line.size() && is_regexp_space(line[pos])) ++pos;
  if (pos == line.size() || line[pos] != '=') return std::nullopt;
  // `.` does not match a newline; lines never hold one here, so the value is the trimmed rest.
  // When the rest is all white space, `\s*` gives its last character back to `(.+?)`.
  const std::string_view after = line.substr(pos + 1);
  std::string_view value = trim_regexp_space(after);
  if (value.empty() && !after.empty()) value = after.substr(after.size() - 1);
  if (value.empty() || value.find('\n') != std::string_view::npos) return std::nullopt;
  return std::pair{std::string(line.substr(0, end)), std::string(value)};
}

bool is_known_directive(std::string_view key) { return key == "syntax" || key == "escape" || key == "check"; }

// bufio.ScanLines: lines without "\n", a trailing "\r" dropped.
std::vector<std::string_view> scan_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return lines;
}

std::optional<FoundDirective> detect_with(std::string_view key, std::string_view text, DirectiveParser parser) {
  for (std::string_view line : scan_lines(text)) {
    if (parser.done()) break;
    auto directive = parser.parse_line(line);
    if (!directive) break;
    if (*directive && (*directive)->name == key) {
      const auto& value = (*directive)->value;
      return FoundDirective{value.substr(0, value.find(' ')), value, (*directive)->line};
    }
  }
  return std::nullopt;
}

std::optional<FoundDirective> find(std::string_view key, std::string_view text, bool any_format) {
  text = discard_bom(text);
  int line = 0;
  if (text.substr(0, 2) == "#!") {
    const auto newline = text.find('\n');
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    line = 1;
  }
  if (auto found = detect_with(key, text, DirectiveParser("#", line))) return found;
  if (!any_format) return std::nullopt;
  if (auto found = detect_with(key, text, DirectiveParser("//", line))) return found;
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  const auto member = json.find(std::string(key));
  if (member == json.end() || !member->is_string()) return std::nullopt;
  const auto value = member->get<std::string>();
  return FoundDirective{value, value, line};
}

}  // namespace

sdk::Result<std::optional<Directive>> DirectiveParser::parse_line(std::string_view line) {
  ++line_;
  if (done_) return std::optional<Directive>{};
  if (line.substr(0, comment_.size()) != comment_) {
    done_ = true;
    return std::optional<Directive>{};
  }
  auto match = match_directive(text::trim_left_space(line.substr(comment_.size())));
  if (!match) {
    done_ = true;
    return std::optional<Directive>{};
  }
  std::string key = text::to_lower(match->first);
  if (!is_known_directive(key)) {
    done_ = true;
    return std::optional<Directive>{};
  }
  if (std::find(seen_.begin(), seen_.end(), key) != seen_.end())
    return sdk::Status::invalid_argument("only one " + key + " parser directive can be used");
  seen_.push_back(key);
  return std::optional<Directive>{Directive{std::move(key), std::move(match->second), line_}};
}

std::vector<Directive> parse_all_directives(std::string_view text) {
  DirectiveParser parser;
  std::vector<Directive> directives;
  for (std::string_view line : scan_lines(text)) {
    if (parser.done()) break;
    auto directive = parser.parse_line(line);
    if (!directive) break;
    if (*directive) directives.push_back(std::move(**directive));
  }
  return directives;
}

std::optional<FoundDirective> detect_syntax(std::string_view text) { return find("syntax", text, true); }

std::optional<FoundDirective> find_directive(std::string_view key, std::string_view text) {
  return find(key, text, false);
}

std::string_view discard_bom(std::string_view text) noexcept {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

}  // namespace dbuild::dockerfile
