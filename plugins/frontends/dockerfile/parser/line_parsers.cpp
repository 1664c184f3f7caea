// line_parsers.cpp: per-instruction argument splitting, as BuildKit's parser/line_parsers.go and
// split_command.go do it (state machines transcribed from their behaviour, quirks included).
#include "parser/line_parsers.hpp"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

namespace text = parser_text;

enum class Phase { Spaces, Word, Quote };

// BuildKit reads flag text byte by byte and asks unicode.IsSpace of each byte as a rune.
bool is_space_byte(char c) { return text::is_space(static_cast<unsigned char>(c)); }

bool starts_flag(std::string_view line, std::size_t pos) {
  return line[pos] == '-' && pos + 1 < line.size() && line[pos + 1] == '-';
}

struct FlagScan {
  std::vector<std::string> flags;
  std::string_view rest;
};

FlagScan extract_builder_flags(std::string_view line, char escape) {
  FlagScan out;
  Phase phase = Phase::Spaces;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (std::size_t pos = 0; pos <= line.size(); ++pos) {
    const char ch = pos < line.size() ? line[pos] : '\0';
    if (phase == Phase::Spaces) {
      if (pos == line.size()) break;
      if (is_space_byte(ch)) continue;
      if (!starts_flag(line, pos)) return {std::move(out.flags), line.substr(pos)};
      phase = Phase::Word;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) out.flags.push_back(word);
      break;
    }
    if (phase == Phase::Word) {
      if (is_space_byte(ch)) {
        phase = Phase::Spaces;
        if (word == "--") return {std::move(out.flags), line.substr(pos)};
        if (blank_ok || !word.empty()) out.flags.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch, blank_ok = true, phase = Phase::Quote;
        continue;
      }
      char value = ch;
      if (ch == escape) {
        if (pos + 1 == line.size()) continue;
        value = line[++pos];
      }
      word.push_back(value);
      continue;
    }
    if (ch == quote) {
      phase = Phase::Word;
      continue;
    }
    char value = ch;
    if (ch == escape) {
      if (pos + 1 == line.size()) {
        phase = Phase::Word;
        continue;
      }
      value = line[++pos];
    }
    word.push_back(value);
  }
  return out;
}

std::vector<std::string> whitespace_delimited(std::string_view rest) {
  if (rest.empty()) return {};
  return text::split_whitespace(rest, -1);
}

sdk::Result<LineArguments> maybe_json(std::string_view rest) {
  if (rest.empty()) return LineArguments{};
  auto json = parse_json_array(rest);
  if (!json) return json.status();
  if (*json) return LineArguments{std::move(**json), true};
  return LineArguments{{std::string(rest)}, false};
}

sdk::Result<LineArguments> maybe_json_to_list(std::string_view rest) {
  auto json = parse_json_array(rest);
  if (!json) return json.status();
  if (*json) return LineArguments{std::move(**json), true};
  return LineArguments{whitespace_delimited(rest), false};
}

sdk::Result<LineArguments> name_value(std::string_view rest, std::string_view key, char escape) {
  const auto words = parse_words(rest, escape);
  if (words.empty()) return LineArguments{};
  LineArguments out;
  if (words[0].find('=') == std::string::npos) {
    auto parts = text::split_whitespace(rest, 2);
    if (parts.size() < 2) return sdk::Status::invalid_argument(std::string(key) + " must have two arguments");
    out.args = {parts[0], parts[1], ""};
    return out;
  }
  for (const auto& word : words) {
    const auto equals = word.find('=');
    if (equals == std::string::npos)
      return sdk::Status::invalid_argument("Syntax error - can't find = in " + text::quote(word) +
                                           ". Must be of the form: name=value");
    out.args.push_back(word.substr(0, equals));
    out.args.push_back(word.substr(equals + 1));
    out.args.emplace_back("=");
  }
  return out;
}

// HEALTHCHECK: a type word (CMD, NONE, anything), then a JSON or string command.
sdk::Result<LineArguments> health_config(std::string_view rest) {
  std::size_t sep = 0;
  while (sep < rest.size() && !is_space_byte(rest[sep])) ++sep;
  std::size_t next = sep;
  while (next < rest.size() && is_space_byte(rest[next])) ++next;
  if (sep == 0) return LineArguments{};
  auto command = maybe_json(rest.substr(next));
  if (!command) return command.status();
  command->args.insert(command->args.begin(), std::string(rest.substr(0, sep)));
  return command;
}

enum class Rule { MaybeJsonToList, NameOrNameValue, MaybeJson, Env, Label, WhitespaceDelimited, Health, String };

constexpr std::array<std::pair<std::string_view, Rule>, 17> kRules = {{
    {"add", Rule::MaybeJsonToList},
    {"arg", Rule::NameOrNameValue},
    {"cmd", Rule::MaybeJson},
    {"copy", Rule::MaybeJsonToList},
    {"entrypoint", Rule::MaybeJson},
    {"env", Rule::Env},
    {"expose", Rule::WhitespaceDelimited},
    {"from", Rule::WhitespaceDelimited},
    {"healthcheck", Rule::Health},
    {"label", Rule::Label},
    {"maintainer", Rule::String},
    {"run", Rule::MaybeJson},
    {"shell", Rule::MaybeJson},
    {"stopsignal", Rule::String},
    {"user", Rule::String},
    {"volume", Rule::MaybeJsonToList},
    {"workdir", Rule::String},
}};

const Rule* rule_for(std::string_view keyword) {
  for (const auto& [name, rule] : kRules)
    if (name == keyword) return &rule;
  return nullptr;
}

}  // namespace

SplitLine split_line(std::string_view line, char escape) {
  const auto parts = text::split_whitespace(text::trim_space(line), 2);
  SplitLine out;
  out.keyword = parts[0];
  if (parts.size() == 2) {
    auto scan = extract_builder_flags(parts[1], escape);
    out.flags = std::move(scan.flags);
    out.rest = std::string(text::trim_space(scan.rest));
  }
  return out;
}

std::vector<std::string> parse_words(std::string_view rest, char escape) {
  std::vector<std::string> words;
  Phase phase = Phase::Spaces;
  char32_t quote = 0;
  bool blank_ok = false;
  std::string word;
  text::Rune rune;
  for (std::size_t pos = 0; pos <= rest.size(); pos += rune.width) {
    if (pos != rest.size()) rune = text::decode_rune(rest.substr(pos));
    if (phase == Phase::Spaces) {
      if (pos == rest.size()) break;
      if (text::is_space(rune.value)) continue;
      phase = Phase::Word;
    }
    if (pos == rest.size()) {
      if (blank_ok || !word.empty()) words.push_back(word);
      break;
    }
    if (phase == Phase::Word) {
      if (text::is_space(rune.value)) {
        phase = Phase::Spaces;
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (rune.value == '\'' || rune.value == '"') quote = rune.value, blank_ok = true, phase = Phase::Quote;
      if (rune.value == static_cast<unsigned char>(escape)) {
        if (pos + rune.width == rest.size()) continue;  // an escape at the very end is dropped
        // Unquoted, an escape keeps itself and the next character, even a quote.
        text::append_rune(word, rune.value);
        pos += rune.width;
        rune = text::decode_rune(rest.substr(pos));
      }
      text::append_rune(word, rune.value);
      continue;
    }
    if (rune.value == quote) phase = Phase::Word;
    if (rune.value == static_cast<unsigned char>(escape) && quote != '\'') {
      if (pos + rune.width == rest.size()) {
        phase = Phase::Word;
        continue;
      }
      pos += rune.width;
      text::append_rune(word, rune.value);
      rune = text::decode_rune(rest.substr(pos));
    }
    text::append_rune(word, rune.value);
  }
  return words;
}

sdk::Result<std::optional<std::vector<std::string>>> parse_json_array(std::string_view rest) {
  rest = text::trim_left_space(rest);
  if (rest.empty() || rest[0] != '[') return std::optional<std::vector<std::string>>{};
  const auto json = nlohmann::json::parse(rest, nullptr, false);
  if (json.is_discarded() || !json.is_array()) return std::optional<std::vector<std::string>>{};
  std::vector<std::string> items;
  for (const auto& item : json) {
    if (!item.is_string())
      return sdk::Status::invalid_argument("when using JSON array syntax, arrays must be comprised of strings only");
    items.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>{std::move(items)};
}

sdk::Result<LineArguments> parse_line_arguments(std::string_view keyword, std::string_view rest, char escape) {
  const Rule* rule = rule_for(keyword);
  if (rule == nullptr) return LineArguments{{""}, false};
  switch (*rule) {
    case Rule::MaybeJsonToList: return maybe_json_to_list(rest);
    case Rule::NameOrNameValue: return LineArguments{parse_words(rest, escape), false};
    case Rule::MaybeJson: return maybe_json(rest);
    case Rule::Env: return name_value(rest, "ENV", escape);
    case Rule::Label: return name_value(rest, "LABEL", escape);
    case Rule::WhitespaceDelimited: return LineArguments{whitespace_delimited(rest), false};
    case Rule::Health: return health_config(rest);
    case Rule::String: return rest.empty() ? LineArguments{} : LineArguments{{std::string(rest)}, false};
  }
  return LineArguments{};
}

bool is_known_instruction(std::string_view keyword) { return keyword == "onbuild" || rule_for(keyword) != nullptr; }

}  // namespace dbuild::dockerfile
