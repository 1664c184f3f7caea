// lexer.hpp: Dockerfile word expansion, as BuildKit's shell lexer does it: $VAR, ${VAR},
// ${VAR:-x} ${VAR-x} ${VAR:+x} ${VAR+x} ${VAR:?msg} ${VAR?msg}, the pattern forms #, ##, %, %%,
// /, //, single and double quotes, and the escape token (\ or `), with or without field
// splitting. Which instruction expands which words is the converter's business.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::dockerfile {

/// Looks a variable up; nullopt when it is not set (set-but-empty is "").
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct ExpandResult {
  std::string word;                 // process_word
  std::vector<std::string> words;   // process_words
  std::set<std::string> matched;    // variables referenced and set
  std::set<std::string> unmatched;  // variables referenced and not set
};

/// BuildKit's Lex switches, all off by default (ordinary ENV/ARG/COPY... expansion). BuildKit
/// turns some on: skip_process_quotes for heredoc bodies (ExpandRaw); raw_quotes +
/// skip_unset_env for a RUN step's display name; raw_quotes + raw_escapes + skip_unset_env with
/// process_words to find heredoc markers in a line (parser).
struct LexerOptions {
  bool raw_quotes = false;           // RawQuotes: keep the quote characters in the result
  bool raw_escapes = false;          // RawEscapes: keep the escape token in the result
  bool skip_process_quotes = false;  // SkipProcessQuotes: quotes are ordinary characters
  bool skip_unset_env = false;       // SkipUnsetEnv: leave $VAR / ${VAR...} of unset variables as written
};

/// Expands words. Every call starts from scratch: a Lexer is immutable and safe to share
/// between threads, as long as the EnvLookup it is given is.
///
/// The text is read as Go reads it: invalid UTF-8 outside variable values becomes U+FFFD, and a
/// leading byte order mark is dropped. Variable names are Unicode letters, digits and `_`
/// (`$1`, `$@`, `$#`, ... are names too, and are unset unless the environment sets them).
class Lexer {
 public:
  explicit Lexer(char escape_token = '\\') : escape_(escape_token) {}
  Lexer(char escape_token, LexerOptions options) : escape_(escape_token), options_(options) {}

  /// Expands `word` as one word: no field splitting, quotes removed. Errors: invalid_argument
  /// with BuildKit's message, `failed to process "<word, Go-quoted>": <reason>`, where reason is
  /// e.g. "syntax error: missing '}'", "syntax error: bad substitution", "unsupported modifier
  /// (=) in substitution", "unexpected end of statement while looking for matching double-quote",
  /// "VAR: msg" for ${VAR:?msg}, or "VAR: is not allowed to be unset" / "... to be empty".
  [[nodiscard]] sdk::Result<ExpandResult> process_word(std::string_view word, const EnvLookup& env) const;

  /// Expands `text` into words, splitting unquoted expansions on white space, as a shell would.
  /// Errors as process_word. `word` is filled too (the text as process_word gives it).
  [[nodiscard]] sdk::Result<ExpandResult> process_words(std::string_view text, const EnvLookup& env) const;

 private:
  char escape_;
  LexerOptions options_{};
};

/// An EnvLookup over "KEY=value" strings (the last one of a key wins; "KEY" alone is KEY="").
[[nodiscard]] EnvLookup env_from_list(const std::vector<std::string>& env);

}  // namespace dbuild::dockerfile
