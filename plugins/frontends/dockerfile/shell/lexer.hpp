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
  std::string word;                   // process_word
  std::vector<std::string> words;     // process_words
  std::set<std::string> matched;      // variables referenced and set
  std::set<std::string> unmatched;    // variables referenced and not set
};

class Lexer {
 public:
  explicit Lexer(char escape_token = '\\') : escape_(escape_token) {}

  /// Expands `word` as one word: no field splitting, quotes removed. Errors: invalid_argument
  /// with BuildKit's messages (unterminated quote or brace, ${VAR:?msg} on an unset variable:
  /// "VAR: msg", a bad substitution).
  [[nodiscard]] sdk::Result<ExpandResult> process_word(std::string_view word, const EnvLookup& env) const;

  /// Expands `text` into words, splitting unquoted expansions on white space, as a shell would.
  [[nodiscard]] sdk::Result<ExpandResult> process_words(std::string_view text, const EnvLookup& env) const;

 private:
  char escape_;
};

/// An EnvLookup over "KEY=value" strings (the last one of a key wins).
[[nodiscard]] EnvLookup env_from_list(const std::vector<std::string>& env);

}  // namespace dbuild::dockerfile
