// heredoc.cpp: heredoc openers and the small shell-word splitter they need. The splitter is the
// subset of BuildKit's shell lexer the parser uses (no variables are ever set, so `$X` and
// `${X...}` stay as written); word expansion proper lives in shell/, which the parser must not use.
#include "parser/heredoc.hpp"

#include <algorithm>
#include <utility>

#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

namespace text = parser_text;

constexpr char32_t kEof = 0xFFFFFFFF;

bool is_ascii_digit(char32_t c) { return c >= '0' && c <= '9'; }
// unicode.IsLetter, approximated above ASCII by "printable and not a space".
bool is_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0x80 && text::is_print(c)); }
bool is_special_parameter(char32_t c) {
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' || c == '0';
}

// The words being collected: white space from expansions splits them, quoted text never does.
struct Words {
  std::string word;
  std::vector<std::string> words;
  bool in_word = false;

  void add_char(char32_t c) {
    if (text::is_space(c)) {
      if (in_word && !word.empty()) {
        words.push_back(std::move(word));
        word.clear();
        in_word = false;
      }
      return;
    }
    add_raw_char(c);
  }
  void add_raw_char(char32_t c) {
    text::append_rune(word, c);
    in_word = true;
  }
  void add_string(std::string_view s) {
    while (!s.empty()) {
      const auto rune = text::decode_rune(s);
      add_char(rune.value);
      s.remove_prefix(rune.width);
    }
  }
  void add_raw_string(std::string_view s) {
    word += s;
    in_word = true;
  }
  std::vector<std::string> take() {
    if (!word.empty()) words.push_back(std::move(word));
    return std::move(words);
  }
};

class Lexer {
 public:
  Lexer(std::string_view source, bool raw_quotes, bool raw_escapes)
      : source_(source), raw_quotes_(raw_quotes), raw_escapes_(raw_escapes) {}

  sdk::Result<std::vector<std::string>> words() {
    Words words;
    auto result = process_stop_on(kEof, &words);
    if (!result) return sdk::Status::invalid_argument("failed to process " + text::quote(source_) + ": " +
                                                      result.status().message());
    return words.take();
  }

 private:
  char32_t peek() const {
    if (position_ >= source_.size()) return kEof;
    return text::decode_rune(source_.substr(position_)).value;
  }
  char32_t next() {
    if (position_ >= source_.size()) return kEof;
    const auto rune = text::decode_rune(source_.substr(position_));
    position_ += rune.width;
    return rune.value;
  }

  sdk::Result<std::string> process_stop_on(char32_t stop, Words* words);
  sdk::Result<std::string> special(char32_t c);
  sdk::Result<std::string> single_quote();
  sdk::Result<std::string> double_quote();
  sdk::Result<std::string> dollar();
  sdk::Result<std::string> curly_bracket();
  std::string possible_heredoc();
  std::string name();

  std::string_view source_;
  std::size_t position_ = 0;
  bool raw_quotes_;
  bool raw_escapes_;
};

sdk::Result<std::string> Lexer::process_stop_on(char32_t stop, Words* words) {
  std::string result;
  Words local;
  if (words == nullptr) words = &local;
  while (peek() != kEof) {
    char32_t c = peek();
    if (stop != kEof && c == stop) {
      next();
      return result;
    }
    if (c == '$' || c == '\'' || c == '"' || c == '<') {
      auto piece = special(c);
      if (!piece) return piece.status();
      result += *piece;
      if (c == '$') {
        words->add_string(*piece);
      } else {
        words->add_raw_string(*piece);
      }
      continue;
    }
    c = next();
    if (c == '\\') {
      if (raw_escapes_) {
        words->add_raw_char(c);
        text::append_rune(result, c);
      }
      c = next();
      if (c == kEof) break;
      words->add_raw_char(c);
    } else {
      words->add_char(c);
    }
    text::append_rune(result, c);
  }
  if (stop != kEof) {
    std::string wanted;
    text::append_rune(wanted, stop);
    return sdk::Status::invalid_argument("unexpected end of statement while looking for matching " + wanted);
  }
  return result;
}

sdk::Result<std::string> Lexer::special(char32_t c) {
  if (c == '$') return dollar();
  if (c == '\'') return single_quote();
  if (c == '"') return double_quote();
  return possible_heredoc();
}

sdk::Result<std::string> Lexer::single_quote() {
  std::string result;
  if (raw_quotes_) result.push_back('\'');
  next();
  for (;;) {
    const char32_t c = next();
    if (c == kEof)
      return sdk::Status::invalid_argument("unexpected end of statement while looking for matching single-quote");
    if (c == '\'') {
      if (raw_quotes_) result.push_back('\'');
      return result;
    }
    text::append_rune(result, c);
  }
}

sdk::Result<std::string> Lexer::double_quote() {
  std::string result;
  if (raw_quotes_) result.push_back('"');
  next();
  for (;;) {
    const char32_t c = peek();
    if (c == kEof)
      return sdk::Status::invalid_argument("unexpected end of statement while looking for matching double-quote");
    if (c == '"') {
      next();
      if (raw_quotes_) result.push_back('"');
      return result;
    }
    if (c == '$') {
      auto value = dollar();
      if (!value) return value.status();
      result += *value;
      continue;
    }
    char32_t ch = next();
    if (ch == '\\') {
      if (raw_escapes_) result.push_back('\\');
      const char32_t after = peek();
      if (after == kEof) continue;
      if (after == '"' || after == '$' || after == '\\') ch = next();
    }
    text::append_rune(result, ch);
  }
}

sdk::Result<std::string> Lexer::dollar() {
  next();
  if (peek() == '{') {
    next();
    return curly_bracket();
  }
  const std::string variable = name();
  if (variable.empty()) return std::string("$");
  return "$" + variable;  // never set: kept as written
}

// ${NAME}, ${NAME:-word}, ${NAME?word}, ${NAME%word}, ... with NAME unset: kept as written.
sdk::Result<std::string> Lexer::curly_bracket() {
  const char32_t first = peek();
  if (first == kEof) return sdk::Status::invalid_argument("syntax error: missing '}'");
  if (first == '{' || first == '}' || first == ':')
    return sdk::Status::invalid_argument("syntax error: bad substitution");
  const std::string variable = name();
  const char32_t c = next();
  if (c == '}') return "${" + variable + "}";
  std::string modifier;
  text::append_rune(modifier, c);
  if (c == ':') {
    text::append_rune(modifier, next());
  } else if (c == '%' || c == '#' || c == '/') {
    if (peek() == c) text::append_rune(modifier, next());
  } else if (c != '?') {
    return sdk::Status::invalid_argument("missing ':' in substitution");
  }
  auto word = process_stop_on('}', nullptr);
  if (!word) {
    if (peek() == kEof) return sdk::Status::invalid_argument("syntax error: missing '}'");
    return word.status();
  }
  return "${" + variable + modifier + *word + "}";
}

std::string Lexer::possible_heredoc() {
  next();
  if (peek() != '<') return "<";
  next();
  std::string result = "<<";
  // The delimiter may follow `<<` or `<<-` after white space; keep them one word.
  if (peek() == '-') text::append_rune(result, next());
  while (peek() != kEof && text::is_space(peek())) text::append_rune(result, next());
  return result;
}

std::string Lexer::name() {
  std::string result;
  while (peek() != kEof) {
    const char32_t c = peek();
    if (result.empty() && is_ascii_digit(c)) {
      while (is_ascii_digit(peek())) text::append_rune(result, next());
      return result;
    }
    if (result.empty() && is_special_parameter(c)) {
      text::append_rune(result, next());
      return result;
    }
    if (!is_letter(c) && !is_ascii_digit(c) && c != '_') break;
    text::append_rune(result, next());
  }
  return result;
}

bool is_regexp_space(char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; }

std::size_t count_quotes(std::string_view s) { return std::count(s.begin(), s.end(), '\'') + std::count(s.begin(), s.end(), '"'); }

}  // namespace

sdk::Result<std::vector<std::string>> heredoc_shell_words(std::string_view text, bool raw_quotes, bool raw_escapes) {
  return Lexer(text, raw_quotes, raw_escapes).words();
}

sdk::Result<std::optional<Heredoc>> parse_heredoc(std::string_view word) {
  using None = std::optional<Heredoc>;
  std::size_t i = 0;
  while (i < word.size() && word[i] >= '0' && word[i] <= '9') ++i;
  const std::string_view digits = word.substr(0, i);
  if (word.substr(i, 2) != "<<") return None{};
  i += 2;
  const bool chomp = i < word.size() && word[i] == '-';
  if (chomp) ++i;
  while (i < word.size() && is_regexp_space(word[i])) ++i;
  const std::string_view rest = word.substr(i);
  if (rest.empty() || rest.find('<') != std::string_view::npos) return None{};

  // Lexed with and without quotes: a quote that only the raw lexing keeps was a real quote,
  // so the delimiter was quoted and the body is not expanded. Escaped quotes count in both.
  auto words = heredoc_shell_words(rest, false, false);
  if (!words) return words.status();
  if (words->size() != 1) return None{};
  auto raw = heredoc_shell_words(rest, true, false);
  if (!raw) return raw.status();
  if (raw->size() != words->size())
    return sdk::Status::invalid_argument("internal lexing of heredoc produced inconsistent results: " +
                                         std::string(rest));
  Heredoc heredoc;
  heredoc.name = (*words)[0];
  auto descriptor = parser_text::parse_uint(digits, 10, 64);
  heredoc.file_descriptor = descriptor ? static_cast<int>(*descriptor) : 0;
  heredoc.expand = count_quotes((*words)[0]) == count_quotes((*raw)[0]);
  heredoc.chomp = chomp;
  return None{std::move(heredoc)};
}

sdk::Result<std::vector<Heredoc>> heredocs_from_line(std::string_view line) {
  std::vector<Heredoc> heredocs;
  auto words = heredoc_shell_words(line, true, true);
  if (!words) return heredocs;
  for (const auto& word : *words) {
    auto heredoc = parse_heredoc(word);
    if (!heredoc) return heredoc.status();
    if (*heredoc) heredocs.push_back(std::move(**heredoc));
  }
  return heredocs;
}

std::string chomp_heredoc_content(std::string_view content) {
  std::string out;
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out.push_back(c);
  }
  return out;
}

}  // namespace dbuild::dockerfile
