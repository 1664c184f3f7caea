// lexer.cpp: the Lexer entry points and env_from_list; the expansion itself is shell_word.cpp.
#include "shell/lexer.hpp"

#include <memory>

#include "shell/shell_word.hpp"

namespace dbuild::dockerfile {

sdk::Result<ExpandResult> Lexer::process_word(std::string_view word, const EnvLookup& env) const {
  return detail::expand(word, escape_, options_, env);
}

sdk::Result<ExpandResult> Lexer::process_words(std::string_view text, const EnvLookup& env) const {
  // BuildKit computes the joined word and the split words in one pass; only the caller differs.
  return detail::expand(text, escape_, options_, env);
}

EnvLookup env_from_list(const std::vector<std::string>& env) {
  auto variables = std::make_shared<std::map<std::string, std::string, std::less<>>>();
  for (const std::string& entry : env) {
    const std::size_t equals = entry.find('=');
    if (equals == std::string::npos) {
      (*variables)[entry] = "";
    } else {
      (*variables)[entry.substr(0, equals)] = entry.substr(equals + 1);
    }
  }
  return [variables](std::string_view name) -> std::optional<std::string> {
    const auto found = variables->find(name);
    if (found == variables->end()) return std::nullopt;
    return found->second;
  };
}

}  // namespace dbuild::dockerfile
