// line_parsers.hpp: how BuildKit's parser cuts one logical line into its keyword, its leading
// --flags and its arguments, by each instruction's rule (ENV/LABEL key-value triples, ARG words,
// whitespace split, JSON or split, JSON or one string, HEALTHCHECK type + command, one string).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::dockerfile {

struct SplitLine {
  std::string keyword;             // as written ("Run")
  std::vector<std::string> flags;  // the leading "--name[=value]" words, quotes removed, "--" dropped
  std::string rest;                // the text after the flags, trimmed
};

/// Splits off the keyword and the flags. Flags are the words starting with "--" right after the
/// keyword; a word "--" ends them; quotes and the escape token work inside them.
[[nodiscard]] SplitLine split_line(std::string_view line, char escape);

/// The words of an ARG/ENV/LABEL argument, split on white space outside quotes. Quotes and
/// escapes stay in the words: they are removed when the words are expanded.
[[nodiscard]] std::vector<std::string> parse_words(std::string_view rest, char escape);

/// A JSON array of strings (leading white space allowed). nullopt when `rest` is not a JSON
/// array, so that the shell form applies; invalid_argument "when using JSON array syntax, arrays
/// must be comprised of strings only" when it is an array holding anything but strings.
[[nodiscard]] sdk::Result<std::optional<std::vector<std::string>>> parse_json_array(std::string_view rest);

struct LineArguments {
  std::vector<std::string> args;  // ENV/LABEL: key, value, separator ("=" or "" for `KEY value`)
  bool json = false;
};

/// The arguments of the instruction `keyword` (lower case; not ONBUILD, which nests a whole
/// instruction) from the text after its flags. An unknown keyword gets one empty argument, as
/// BuildKit's parser gives it. Errors: invalid_argument ("ENV must have two arguments",
/// "Syntax error - can't find = in ...", the JSON array error).
[[nodiscard]] sdk::Result<LineArguments> parse_line_arguments(std::string_view keyword, std::string_view rest,
                                                              char escape);

/// True for the keywords the parser knows (BuildKit's dispatch table).
[[nodiscard]] bool is_known_instruction(std::string_view keyword);

}  // namespace dbuild::dockerfile
