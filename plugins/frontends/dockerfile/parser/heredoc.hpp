// heredoc.hpp: heredoc openers (`<<EOF`, `<<-EOF`, `3<<'EOF'`, `<< EOF`) found as BuildKit finds
// them: the line is split into shell words (quotes, escapes and `$X` kept) and each word matched
// against `^(\d*)<<(-?)\s*([^<]*)$`; a quoted delimiter turns expansion off.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "parser/ast.hpp"

namespace dbuild::dockerfile {

/// The heredoc a single word opens (content empty), nullopt when the word opens none ("EOF",
/// "<<", "<<EOF sh"). Errors: invalid_argument when the delimiter has an unterminated quote.
[[nodiscard]] sdk::Result<std::optional<Heredoc>> parse_heredoc(std::string_view word);

/// The heredocs a whole instruction line opens, in order (content empty). A line whose words
/// cannot be split (an unterminated quote) opens none.
[[nodiscard]] sdk::Result<std::vector<Heredoc>> heredocs_from_line(std::string_view line);

/// What `<<-` does to a body: leading tabs removed from every line.
[[nodiscard]] std::string chomp_heredoc_content(std::string_view content);

/// BuildKit's shell-word splitting as the heredoc rules use it: escape token `\`, no variables
/// set (and unset ones kept as written), quotes kept when `raw_quotes`, escapes kept when
/// `raw_escapes`, and `<<`, `<<-` joined to the delimiter after them even across white space.
[[nodiscard]] sdk::Result<std::vector<std::string>> heredoc_shell_words(std::string_view text, bool raw_quotes,
                                                                        bool raw_escapes);

}  // namespace dbuild::dockerfile
