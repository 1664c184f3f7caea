// parser.cpp: the line loop of BuildKit's parser.Parse: physical lines -> logical instructions
// (directives, comments, continuations, empty-continuation warnings, heredoc bodies) -> nodes.
#include "parser/parser.hpp"

#include <utility>

#include "parser/directives.hpp"
#include "parser/heredoc.hpp"
#include "parser/line_parsers.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

namespace text = parser_text;

// bufio.MaxScanTokenSize - 1: BuildKit reads lines with a 64 KiB scanner buffer.
constexpr std::size_t kMaxLineSize = 65535;

// Physical lines with their newline kept (BuildKit's scanLines). A line longer than the scanner
// buffer ends the scan, and the error is reported once the lines before it are parsed.
class LineScanner {
 public:
  explicit LineScanner(std::string_view text) : text_(text) {}

  bool scan() {
    if (too_long_ || position_ >= text_.size()) return false;
    const auto newline = text_.find('\n', position_);
    const std::size_t end = newline == std::string_view::npos ? text_.size() : newline + 1;
    const std::size_t content = newline == std::string_view::npos ? end - position_ : newline - position_;
    if (content > kMaxLineSize) {
      too_long_ = true;
      return false;
    }
    line_ = text_.substr(position_, end - position_);
    position_ = end;
    return true;
  }
  [[nodiscard]] std::string_view line() const { return line_; }
  [[nodiscard]] bool too_long() const { return too_long_; }

 private:
  std::string_view text_;
  std::size_t position_ = 0;
  std::string_view line_;
  bool too_long_ = false;
};

bool is_comment(std::string_view line) {
  line = text::trim_left_space(line);
  return !line.empty() && line[0] == '#';
}

bool is_empty_continuation_line(std::string_view line) {
  return text::trim_left_space(text::trim_newline(line)).empty();
}

// The escape token as the last non-blank character continues the line, unless it is itself
// escaped (BuildKit's `([^\\])\\[ \t]*$|^\\[ \t]*$`). Returns the line without it, and whether
// the line ends the instruction.
std::pair<std::string_view, bool> trim_continuation(std::string_view line, char escape) {
  std::size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  if (end == 0 || line[end - 1] != escape) return {line, true};
  if (end >= 2 && line[end - 2] == escape) return {line, true};
  return {line.substr(0, end - 1), false};
}

sdk::Status error_at(std::string message, int start, int end) {
  return sdk::Status::invalid_argument(std::move(message)).with_location({"Dockerfile", start, end});
}

bool can_contain_heredoc(const Node& node) {
  const Node* target = &node;
  if (node.value == "onbuild" && !node.children.empty()) target = &node.children[0];
  if (target->value != "run" && target->value != "copy" && target->value != "add") return false;
  return !target->json;
}

sdk::Result<Node> node_from_line(std::string_view line, char escape) {
  auto split = split_line(line, escape);
  Node node;
  node.value = text::to_lower(split.keyword);
  node.keyword_as_written = split.keyword;
  node.original = std::string(line);
  node.flags = std::move(split.flags);
  if (node.value == "onbuild") {
    if (split.rest.empty()) return node;
    auto trigger = node_from_line(split.rest, escape);
    if (!trigger) return trigger.status();
    node.children.push_back(std::move(*trigger));
    return node;
  }
  auto arguments = parse_line_arguments(node.value, split.rest, escape);
  if (!arguments) return arguments.status();
  node.json = arguments->json;
  for (auto& argument : arguments->args) node.next.push_back(Node{.value = std::move(argument)});
  return node;
}

void set_lines(Node& node, int start, int end) {
  node.start_line = start;
  node.end_line = end;
  for (auto& trigger : node.children) set_lines(trigger, start, end);
}

class Parser {
 public:
  explicit Parser(std::string_view text) : scanner_(text) {}

  sdk::Result<ParseResult> run();

 private:
  sdk::Status first_line(std::string_view raw, std::string& line, bool& end_of_line);
  sdk::Status directive(std::string_view token);
  void continuation(std::string& line, bool& end_of_line);
  sdk::Status instruction(const std::string& line, int start_line);
  sdk::Status read_heredocs(Node& node, const std::string& line, int start_line);

  LineScanner scanner_;
  DirectiveParser directives_;
  ParseResult result_;
  std::vector<std::string> comments_;
  int current_line_ = 0;
  bool empty_continuation_ = false;
};

sdk::Result<ParseResult> Parser::run() {
  while (scanner_.scan()) {
    std::string line;
    bool end_of_line = true;
    if (auto status = first_line(scanner_.line(), line, end_of_line); !status) return status;
    const int start_line = current_line_;
    if (end_of_line && line.empty()) continue;
    empty_continuation_ = false;
    if (!end_of_line) continuation(line, end_of_line);
    if (auto status = instruction(line, start_line); !status) return status;
  }
  if (result_.root.next.empty()) return error_at("file with no instructions", current_line_, 0);
  if (scanner_.too_long())
    return error_at("dockerfile line greater than max allowed size of " + std::to_string(kMaxLineSize),
                    current_line_ + 1, current_line_ + 1);
  result_.root.start_line = result_.root.next.front().start_line;
  result_.root.end_line = result_.root.next.back().end_line;
  return std::move(result_);
}

// The first physical line of a logical one: BOM, doc comments, directives, comment removal.
sdk::Status Parser::first_line(std::string_view raw, std::string& line, bool& end_of_line) {
  if (current_line_ == 0) raw = discard_bom(raw);
  if (is_comment(raw)) {
    // BuildKit drops the first byte of the untrimmed line, so "  # x" gives "# x".
    auto comment = text::trim_space(raw.substr(1));
    if (comment.empty()) {
      comments_.clear();
    } else {
      comments_.emplace_back(comment);
    }
  }
  const std::string_view token = text::trim_left_space(text::trim_newline(raw));
  if (auto status = directive(token); !status) return status;
  ++current_line_;
  auto [trimmed, eol] = trim_continuation(is_comment(token) ? std::string_view{} : token, result_.directives.escape);
  line = std::string(trimmed);
  end_of_line = eol;
  return sdk::Status::ok();
}

sdk::Status Parser::directive(std::string_view token) {
  auto found = directives_.parse_line(token);
  if (!found) return error_at(found.status().message(), current_line_ + 1, current_line_ + 1);
  if (!*found) return sdk::Status::ok();
  if (!comments_.empty()) comments_.pop_back();  // a directive is no doc comment
  if ((*found)->name != "escape") return sdk::Status::ok();
  const std::string& value = (*found)->value;
  if (value != "`" && value != "\\")
    return error_at("invalid escape token '" + value + "' does not match ` or \\", current_line_ + 1,
                    current_line_ + 1);
  result_.directives.escape = value[0];
  result_.directives.escape_line = current_line_ + 1;
  return sdk::Status::ok();
}

// Joins the following physical lines: comment lines are dropped, blank ones skipped (with the
// warning BuildKit gives), and continuation lines keep their leading white space.
void Parser::continuation(std::string& line, bool& end_of_line) {
  while (!end_of_line && scanner_.scan()) {
    const std::string_view raw = scanner_.line();
    const std::string_view token = text::trim_newline(raw);
    (void)directives_.parse_line(token);  // keeps the directive parser's line count; it is done by now
    ++current_line_;
    if (is_comment(raw)) continue;
    if (is_empty_continuation_line(token)) {
      empty_continuation_ = true;
      continue;
    }
    auto [trimmed, eol] = trim_continuation(token, result_.directives.escape);
    line += trimmed;
    end_of_line = eol;
  }
}

sdk::Status Parser::instruction(const std::string& line, int start_line) {
  if (empty_continuation_) {
    result_.warnings.push_back(Warning{"Empty continuation line found in: " + line,
                                       "Empty continuation lines will become errors in a future release",
                                       "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/",
                                       current_line_});
  }
  auto node = node_from_line(line, result_.directives.escape);
  if (!node) return error_at(node.status().message(), start_line, current_line_);
  node->comments = std::move(comments_);
  comments_.clear();
  if (can_contain_heredoc(*node) && line.find("<<") != std::string::npos) {
    if (auto status = read_heredocs(*node, line, start_line); !status) return status;
  }
  set_lines(*node, start_line, current_line_);
  result_.root.next.push_back(std::move(*node));
  return sdk::Status::ok();
}

// Each heredoc's body is the raw lines (newlines included) up to its delimiter line; with `<<-`
// the delimiter may be indented with tabs. Bodies are read in the order the openers appear.
sdk::Status Parser::read_heredocs(Node& node, const std::string& line, int start_line) {
  auto heredocs = heredocs_from_line(line);
  if (!heredocs) return error_at(heredocs.status().message(), start_line, current_line_);
  for (auto& heredoc : *heredocs) {
    bool terminated = false;
    while (scanner_.scan()) {
      ++current_line_;
      std::string_view candidate = text::trim_newline(scanner_.line());
      if (heredoc.chomp) {
        while (!candidate.empty() && candidate.front() == '\t') candidate.remove_prefix(1);
      }
      if (candidate == heredoc.name) {
        terminated = true;
        break;
      }
      heredoc.content += scanner_.line();
    }
    if (!terminated) return error_at("unterminated heredoc", start_line, current_line_);
    node.heredocs.push_back(std::move(heredoc));
  }
  return sdk::Status::ok();
}

void fill_directives(std::string_view text, Directives& directives) {
  if (auto syntax = detect_syntax(text)) {
    directives.syntax = syntax->value;
    directives.syntax_cmdline = syntax->cmdline;
    directives.syntax_line = syntax->line;
  }
  if (auto check = find_directive("check", text)) {
    directives.check = check->value;
    directives.check_cmdline = check->cmdline;
    directives.check_line = check->line;
  }
}

}  // namespace

sdk::Result<ParseResult> parse(std::string_view text) {
  auto result = Parser(text).run();
  if (result) fill_directives(text, result->directives);
  return result;
}

}  // namespace dbuild::dockerfile
