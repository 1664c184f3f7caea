// shell_word.hpp: one expansion of one text, BuildKit's shellWord: the state machine that
// Lexer::process_word and process_words share. Internal to the shell library.
#pragma once

#include <string_view>

#include <dbuild/sdk/status.hpp>

#include "shell/lexer.hpp"

namespace dbuild::dockerfile::detail {

/// Expands `source` once, filling the word, the split words and the looked-up names.
/// Errors: invalid_argument `failed to process "<source>": <reason>` (BuildKit's wording).
[[nodiscard]] sdk::Result<ExpandResult> expand(std::string_view source, char escape_token, const LexerOptions& options,
                                               const EnvLookup& env);

}  // namespace dbuild::dockerfile::detail
