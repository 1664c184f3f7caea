// shell_word.cpp: BuildKit's shellWord (frontend/dockerfile/shell/lex.go), rune for rune: the
// same reading order, the same error texts, the same quirks, since Dockerfiles must expand the
// same here as under `docker build`. Quirks kept on purpose are marked "As BuildKit".
#include "shell/shell_word.hpp"

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shell/go_text.hpp"
#include "shell/pattern.hpp"

namespace dbuild::dockerfile::detail {
namespace {

using go_text::kEof;
using go_text::Rune;

// Go's stacks grow, so BuildKit nests ${...} and quotes as deep as a line allows; here the
// stack is fixed, so nesting is capped far beyond any real Dockerfile rather than crashing.
constexpr int kMaxNesting = 256;

sdk::Status syntax_error(std::string reason) { return sdk::Status::invalid_argument(std::move(reason)); }

// `$@`, `$*`, `$#`, `$?`, `$-`, `$$`, `$!`, `$0`: POSIX special parameters, one rune long.
bool is_special_parameter(Rune rune) {
  constexpr std::string_view kSpecial = "@*#?-$!0";
  return rune > 0 && rune < 0x80 && kSpecial.find(static_cast<char>(rune)) != std::string_view::npos;
}

// BuildKit's wordsStruct: splits what is added on white space, except what is added raw
// (quoted or escaped text). The word being built lives in a buffer that the whole expansion
// shares, not in this object: see ShellWord::process_stop_on.
class WordSplitter {
 public:
  explicit WordSplitter(std::string& buffer) : buffer_(buffer) {}

  void add_char(Rune rune) {
    if (go_text::is_space(rune) && in_word_) {
      // A space right after an empty quoted word ("") keeps in_word_: there is no word to end.
      if (!buffer_.empty()) {
        words_.push_back(std::move(buffer_));
        buffer_.clear();
        in_word_ = false;
      }
    } else if (!go_text::is_space(rune)) {
      add_raw_char(rune);
    }
  }
  void add_raw_char(Rune rune) {
    go_text::append_rune(buffer_, rune);
    in_word_ = true;
  }
  void add_string(std::string_view text) {
    for (Rune rune : go_text::runes_of(text)) add_char(rune);
  }
  void add_raw_string(std::string_view text) {
    buffer_ += text;
    in_word_ = true;
  }
  std::vector<std::string> take_words() {
    if (!buffer_.empty()) {
      words_.push_back(std::move(buffer_));
      buffer_.clear();
      in_word_ = false;
    }
    return std::move(words_);
  }

 private:
  std::string& buffer_;
  std::vector<std::string> words_;
  bool in_word_ = false;
};

struct Piece {
  std::string text;
  std::vector<std::string> words;
};

class ShellWord {
 public:
  ShellWord(std::string_view source, char escape_token, const LexerOptions& options, const EnvLookup& env)
      : scanner_(source),
        escape_(static_cast<unsigned char>(escape_token)),
        options_(options),
        env_(env),
        raw_escapes_(options.raw_escapes) {}

  sdk::Result<Piece> run() { return process_stop_on(kEof, options_.raw_escapes); }
  std::set<std::string>& matched() { return matched_; }
  std::set<std::string>& unmatched() { return unmatched_; }

 private:
  sdk::Result<Piece> process_stop_on(Rune stop, bool raw_escapes);
  sdk::Result<std::string> process_single_quote();
  sdk::Result<std::string> process_double_quote();
  sdk::Result<std::string> process_dollar();
  sdk::Result<std::string> process_modifier(const std::string& name, Rune modifier, const std::string& written,
                                            bool null_is_unset);
  sdk::Result<std::string> apply_modifier(const std::string& name, Rune modifier, const std::string& written,
                                          bool null_is_unset, std::string word);
  sdk::Result<std::string> process_substitution(const std::string& name);
  std::string process_name();
  std::optional<std::string> get_env(const std::string& name);
  bool is_quote_handler(Rune rune) const { return !options_.skip_process_quotes && (rune == '\'' || rune == '"'); }

  go_text::Scanner scanner_;
  Rune escape_;
  const LexerOptions& options_;
  const EnvLookup& env_;
  bool raw_escapes_;
  int nesting_ = 0;
  std::string words_buffer_;
  std::set<std::string> matched_;
  std::set<std::string> unmatched_;
};

sdk::Result<Piece> ShellWord::process_stop_on(Rune stop, bool raw_escapes) {
  if (nesting_ >= kMaxNesting) {
    return syntax_error("expansions nested more than " + std::to_string(kMaxNesting) + " deep");
  }
  // As BuildKit: every call starts the shared word buffer afresh, so a ${VAR<op>...} inside a
  // word drops what process_words had gathered of that word before it. The text is unaffected.
  words_buffer_.clear();
  WordSplitter words(words_buffer_);
  const bool saved_raw_escapes = std::exchange(raw_escapes_, raw_escapes);
  struct Restore {
    bool& flag;
    bool value;
    int& nesting;
    ~Restore() {
      flag = value;
      --nesting;
    }
  } restore{raw_escapes_, saved_raw_escapes, ++nesting_};

  std::string result;
  while (scanner_.peek() != kEof) {
    Rune rune = scanner_.peek();
    if (stop != kEof && rune == stop) {
      scanner_.next();
      return Piece{std::move(result), words.take_words()};
    }
    if (rune == '$' || is_quote_handler(rune)) {
      auto expanded = rune == '$' ? process_dollar() : (rune == '\'' ? process_single_quote() : process_double_quote());
      if (!expanded) return expanded.status();
      result += *expanded;
      if (rune == '$') {
        words.add_string(*expanded);
      } else {
        words.add_raw_string(*expanded);
      }
      continue;
    }
    rune = scanner_.next();
    if (rune == escape_) {
      if (raw_escapes_) {
        words.add_raw_char(rune);
        go_text::append_rune(result, rune);
      }
      rune = scanner_.next();
      if (rune == kEof) break;  // an escape at the very end is dropped
      words.add_raw_char(rune);
    } else {
      words.add_char(rune);
    }
    go_text::append_rune(result, rune);
  }
  if (stop != kEof) {
    return syntax_error("unexpected end of statement while looking for matching " + go_text::rune_string(stop));
  }
  return Piece{std::move(result), words.take_words()};
}

sdk::Result<std::string> ShellWord::process_single_quote() {
  // Everything up to the next ' is literal; a ' cannot be escaped inside.
  std::string result;
  Rune rune = scanner_.next();
  if (options_.raw_quotes) go_text::append_rune(result, rune);
  for (;;) {
    rune = scanner_.next();
    if (rune == kEof) return syntax_error("unexpected end of statement while looking for matching single-quote");
    if (rune == '\'') {
      if (options_.raw_quotes) go_text::append_rune(result, rune);
      return result;
    }
    go_text::append_rune(result, rune);
  }
}

sdk::Result<std::string> ShellWord::process_double_quote() {
  // $ expands; the escape token escapes only ", $ and itself, and stays literal before others.
  std::string result;
  Rune rune = scanner_.next();
  if (options_.raw_quotes) go_text::append_rune(result, rune);
  for (;;) {
    const Rune next = scanner_.peek();
    if (next == kEof) return syntax_error("unexpected end of statement while looking for matching double-quote");
    if (next == '"') {
      rune = scanner_.next();
      if (options_.raw_quotes) go_text::append_rune(result, rune);
      return result;
    }
    if (next == '$') {
      auto value = process_dollar();
      if (!value) return value.status();
      result += *value;
      continue;
    }
    rune = scanner_.next();
    if (rune == escape_) {
      if (raw_escapes_) go_text::append_rune(result, rune);
      const Rune escaped = scanner_.peek();
      if (escaped == kEof) continue;  // then the loop reports the missing quote
      if (escaped == '"' || escaped == '$' || escaped == escape_) rune = scanner_.next();
    }
    go_text::append_rune(result, rune);
  }
}

sdk::Result<std::string> ShellWord::process_dollar() {
  scanner_.next();
  if (scanner_.peek() != '{') {
    const std::string name = process_name();
    if (name.empty()) return std::string("$");  // `$` before a non-name stays literal
    auto value = get_env(name);
    if (!value && options_.skip_unset_env) return "$" + name;
    return value.value_or("");
  }
  scanner_.next();
  const Rune first = scanner_.peek();
  if (first == kEof) return syntax_error("syntax error: missing '}'");
  if (first == '{' || first == '}' || first == ':') return syntax_error("syntax error: bad substitution");
  const std::string name = process_name();
  Rune modifier = scanner_.next();
  std::string written = go_text::rune_string(modifier);  // what the error names, e.g. ":="
  switch (modifier) {
    case '}': {
      auto value = get_env(name);
      if (!value && options_.skip_unset_env) return "${" + name + "}";
      return value.value_or("");
    }
    case ':':
      // As BuildKit: whatever follows the colon is taken as the modifier, even '}' or the end.
      modifier = scanner_.next();
      written += go_text::rune_string(modifier);
      return process_modifier(name, modifier, written, true);
    case '+':
    case '-':
    case '?':
    case '#':
    case '%': return process_modifier(name, modifier, written, false);
    case '/': return process_substitution(name);
    default: return syntax_error("unsupported modifier (" + written + ") in substitution");
  }
}

sdk::Result<std::string> ShellWord::process_modifier(const std::string& name, Rune modifier, const std::string& written,
                                                     bool null_is_unset) {
  // Patterns keep their escapes, so that `\*` reaches the pattern compiler as a literal star.
  const bool pattern = modifier == '#' || modifier == '%';
  if (null_is_unset && pattern) return syntax_error("unsupported modifier (" + written + ") in substitution");
  auto word = process_stop_on('}', pattern);
  if (!word) {
    if (scanner_.peek() == kEof) return syntax_error("syntax error: missing '}'");
    return word.status();
  }
  return apply_modifier(name, modifier, written, null_is_unset, std::move(word->text));
}

sdk::Result<std::string> ShellWord::apply_modifier(const std::string& name, Rune modifier, const std::string& written,
                                                   bool null_is_unset, std::string word) {
  const auto value = get_env(name);
  if (!value && options_.skip_unset_env) return "${" + name + written + word + "}";
  const bool counts_as_unset = !value || (null_is_unset && value->empty());
  switch (modifier) {
    case '-': return counts_as_unset ? word : *value;
    case '+': return counts_as_unset ? std::string() : word;
    case '?':
      if (!value) return syntax_error(name + ": " + (word.empty() ? "is not allowed to be unset" : word));
      if (counts_as_unset) return syntax_error(name + ": " + (word.empty() ? "is not allowed to be empty" : word));
      return *value;
    case '#':
    case '%': {
      // A doubled operator (## or %%) is seen after expansion, so ${V#"#"x} is greedy too.
      auto stars = shell_pattern::Stars::Shortest;
      if (!word.empty() && static_cast<unsigned char>(word[0]) == static_cast<unsigned char>(modifier)) {
        stars = shell_pattern::Stars::Longest;
        word.erase(0, 1);
      }
      const std::string& subject = value ? *value : std::string();
      return modifier == '%' ? shell_pattern::trim_suffix(word, subject, stars)
                             : shell_pattern::trim_prefix(word, subject, stars);
    }
    default: return syntax_error("unsupported modifier (" + written + ") in substitution");
  }
}

sdk::Result<std::string> ShellWord::process_substitution(const std::string& name) {
  const bool replace_all = scanner_.peek() == '/';
  if (replace_all) scanner_.next();
  auto pattern = process_stop_on('/', true);
  if (!pattern) {
    if (scanner_.peek() == kEof) return syntax_error("syntax error: missing '/' in ${}");
    return pattern.status();
  }
  auto replacement = process_stop_on('}', true);
  if (!replacement) {
    if (scanner_.peek() == kEof) return syntax_error("syntax error: missing '}'");
    return replacement.status();
  }
  const auto value = get_env(name);
  if (!value && options_.skip_unset_env) return "${" + name + "/" + pattern->text + "/" + replacement->text + "}";
  auto compiled =
      shell_pattern::Pattern::compile(pattern->text, shell_pattern::Stars::Longest, shell_pattern::Anchor::Anywhere);
  if (!compiled) {
    return syntax_error("invalid pattern (" + pattern->text + ") in substitution: " + compiled.status().message());
  }
  const std::string subject = value.value_or("");
  // As BuildKit: `//` goes through Go's ReplaceAllString, which expands `$0` in the replacement;
  // `/` splices the replacement in literally.
  if (replace_all) return compiled->replace_all(subject, replacement->text);
  const auto match = compiled->find(subject);
  if (!match) return subject;
  return subject.substr(0, match->begin) + replacement->text + subject.substr(match->end);
}

std::string ShellWord::process_name() {
  // A name is letters, digits and '_'; one starting with a digit is all digits ($1, $999);
  // a special parameter is one rune.
  std::string name;
  while (scanner_.peek() != kEof) {
    const Rune rune = scanner_.peek();
    if (name.empty() && go_text::is_digit(rune)) {
      while (scanner_.peek() != kEof && go_text::is_digit(scanner_.peek())) {
        go_text::append_rune(name, scanner_.next());
      }
      return name;
    }
    if (name.empty() && is_special_parameter(rune)) return go_text::rune_string(scanner_.next());
    if (!go_text::is_letter(rune) && !go_text::is_digit(rune) && rune != '_') break;
    go_text::append_rune(name, scanner_.next());
  }
  return name;
}

std::optional<std::string> ShellWord::get_env(const std::string& name) {
  auto value = env_ ? env_(name) : std::nullopt;
  (value ? matched_ : unmatched_).insert(name);
  return value;
}

}  // namespace

sdk::Result<ExpandResult> expand(std::string_view source, char escape_token, const LexerOptions& options,
                                 const EnvLookup& env) {
  ShellWord shell_word(source, escape_token, options, env);
  auto piece = shell_word.run();
  if (!piece) {
    return sdk::Status::invalid_argument("failed to process " + go_text::quote(source) + ": " +
                                         piece.status().message());
  }
  ExpandResult result;
  result.word = std::move(piece->text);
  result.words = std::move(piece->words);
  result.matched = std::move(shell_word.matched());
  result.unmatched = std::move(shell_word.unmatched());
  return result;
}

}  // namespace dbuild::dockerfile::detail
