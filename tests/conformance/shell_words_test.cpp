// shell_words_test.cpp: runs every case of BuildKit's shell lexer test data
// (/work/shared/conformance/shell-words: envVarTest, wordsTest, process-word-with-matches.json)
// against the dockerfile frontend's Lexer, and prints how many passed.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "shell/go_text.hpp"
#include "shell/lexer.hpp"
#include "support/skip.hpp"

namespace {

namespace fs = std::filesystem;
using dbuild::dockerfile::EnvLookup;
using dbuild::dockerfile::ExpandResult;
using dbuild::dockerfile::Lexer;
using nlohmann::json;

fs::path corpus_path(const std::string& file) {
  const fs::path path = fs::path(DBUILD_CONFORMANCE_DIR) / "shell-words" / file;
  if (!fs::exists(path)) dbuild::test::skip_test("conformance corpus not found: " + path.string());
  return path;
}

// The file's lines as Go's bufio.Scanner yields them: split on "\n", a final "\r" dropped,
// nothing else touched (wordsTest has significant trailing spaces).
std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

bool starts_with_space(std::string_view text) {
  return !text.empty() && dbuild::dockerfile::go_text::is_space(dbuild::dockerfile::go_text::decode_rune(text).rune);
}

// Go's strings.TrimSpace (Unicode white space at both ends).
std::string trim_space(std::string_view text) {
  using dbuild::dockerfile::go_text::decode_rune;
  using dbuild::dockerfile::go_text::is_space;
  while (starts_with_space(text)) text.remove_prefix(decode_rune(text).width);
  std::size_t end = text.size();
  while (end > 0) {
    std::size_t begin = end - 1;
    while (begin > 0 && (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80) --begin;
    if (!is_space(decode_rune(text.substr(begin, end - begin)).rune)) break;
    end = begin;
  }
  return std::string(text.substr(0, end));
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t found = text.find(separator, start);
    parts.push_back(text.substr(start, found == std::string::npos ? std::string::npos : found - start));
    if (found == std::string::npos) return parts;
    start = found + 1;
  }
}

EnvLookup env_from_json(const json& envs) {
  std::map<std::string, std::string, std::less<>> variables;
  for (const auto& [key, value] : envs.items()) variables[key] = value.get<std::string>();
  return [variables](std::string_view name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

std::string show(const std::vector<std::string>& words) { return json(words).dump(); }

// Tallies cases and keeps a line per failure, so that one run shows every case that fails.
struct Tally {
  int passed = 0;
  int total = 0;
  std::vector<std::string> failures;

  void record(bool ok, const std::string& what) {
    ++total;
    if (ok) {
      ++passed;
    } else {
      failures.push_back(what);
    }
  }

  void report(const std::string& name) const {
    WARN("shell words: " << name << ": " << passed << "/" << total << " passed");
    for (const std::string& failure : failures) UNSCOPED_INFO("FAILED " << failure);
    CHECK(failures.empty());
  }
};

}  // namespace

TEST_CASE("every Unix row of envVarTest expands as BuildKit's ProcessWord does", "[conformance][shell]") {
  const auto lines = read_lines(corpus_path("envVarTest"));
  const EnvLookup env = dbuild::dockerfile::env_from_list({"PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL="});
  const Lexer lexer('\\');
  Tally tally;
  int windows_only = 0;
  for (std::size_t index = 0; index < lines.size(); ++index) {
    if (lines[index].rfind('#', 0) == 0) continue;
    const std::string line = trim_space(lines[index]);
    if (line.empty()) continue;
    const auto fields = split(line, '|');
    const std::string where = "envVarTest line " + std::to_string(index + 1) + ": " + line;
    if (fields.size() != 3) {
      tally.record(false, where + " (not 3 fields)");
      continue;
    }
    const std::string platform = trim_space(fields[0]);
    const std::string source = trim_space(fields[1]);
    const std::string expected = trim_space(fields[2]);
    if (platform == "W") {
      ++windows_only;  // Windows matches names case-insensitively; dbuild builds Linux images
      continue;
    }
    auto result = lexer.process_word(source, env);
    if (expected == "error") {
      tally.record(!result, where + " -> expected an error, got " + (result ? json(result->word).dump() : ""));
    } else {
      tally.record(result && result->word == expected,
                   where + " -> " + (result ? json(result->word).dump() : result.status().message()));
    }
  }
  WARN("shell words: envVarTest: " << windows_only << " Windows-only (W) rows not run");
  tally.report("envVarTest (A and U rows)");
}

TEST_CASE("every line of wordsTest splits as BuildKit's ProcessWords does", "[conformance][shell]") {
  const auto lines = read_lines(corpus_path("wordsTest"));
  std::vector<std::string> envs;  // ENV lines add to it for the lines after them
  const Lexer lexer('\\');
  Tally tally;
  for (std::size_t index = 0; index < lines.size(); ++index) {
    const std::string& line = lines[index];
    if (line.rfind('#', 0) == 0) continue;
    if (line.rfind("ENV ", 0) == 0) {
      envs.push_back(line.substr(line.find_first_not_of(' ', 3)));
      continue;
    }
    const auto fields = split(line, '|');
    const std::string where = "wordsTest line " + std::to_string(index + 1) + ": " + line;
    if (fields.size() != 2) {
      tally.record(false, where + " (not exactly one |)");
      continue;
    }
    const std::string input = trim_space(fields[0]);
    const std::size_t first = fields[1].find_first_not_of(' ');
    const auto expected = split(first == std::string::npos ? std::string() : fields[1].substr(first), ',');
    auto result = lexer.process_words(input, dbuild::dockerfile::env_from_list(envs));
    const std::vector<std::string> words = result ? result->words : std::vector<std::string>{"error"};
    tally.record(words == expected, where + " -> " + show(words) + ", expected " + show(expected));
  }
  tally.report("wordsTest");
}

namespace {

std::string check_case(const json& c, const Lexer& lexer) {
  auto result = lexer.process_word(c.at("input").get<std::string>(), env_from_json(c.at("envs")));
  if (c.value("expect_error", false)) {
    if (result) return "expected an error, got " + json(result->word).dump();
    const std::string needle = c.value("error_contains", "");
    if (result.status().message().find(needle) == std::string::npos) {
      return "error " + json(result.status().message()).dump() + " lacks " + json(needle).dump();
    }
    return "";
  }
  if (!result) return "unexpected error " + result.status().message();
  if (result->word != c.at("expected").get<std::string>()) return "got " + json(result->word).dump();
  if (c.contains("matched") && result->matched != c.at("matched").get<std::set<std::string>>()) {
    return "matched " + json(result->matched).dump();
  }
  if (c.contains("unmatched") && result->unmatched != c.at("unmatched").get<std::set<std::string>>()) {
    return "unmatched " + json(result->unmatched).dump();
  }
  return "";
}

}  // namespace

TEST_CASE("every case of process-word-with-matches.json expands and reports names as BuildKit does",
          "[conformance][shell]") {
  std::ifstream in(corpus_path("process-word-with-matches.json"), std::ios::binary);
  const json corpus = json::parse(in);
  const Lexer lexer('\\');
  Tally tally;
  Tally not_guaranteed;
  for (const char* group : {"cases", "platform_cases", "mandatory_cases"}) {
    for (const json& c : corpus.at(group)) {
      const std::string failure = check_case(c, lexer);
      Tally& into = c.value("not_guaranteed", false) ? not_guaranteed : tally;
      into.record(failure.empty(), std::string(group) + " " + c.dump() + ": " + failure);
    }
  }
  tally.report("process-word-with-matches.json");
  // Upstream keeps these only to show that partial input does not crash; they are not counted.
  WARN("shell words: process-word-with-matches.json not_guaranteed: " << not_guaranteed.passed << "/"
                                                                      << not_guaranteed.total << " agree");
  for (const std::string& failure : not_guaranteed.failures) WARN("not guaranteed, differs: " << failure);
}
