// dockerfile_parser_test.cpp: runs every case of BuildKit's parser test data
// (conformance/dockerfile-parser, -negative, -line, -extra) against the dockerfile frontend's
// parser, and prints how many passed.
#include <cctype>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "parser/directives.hpp"
#include "parser/heredoc.hpp"
#include "parser/line_parsers.hpp"
#include "parser/parser.hpp"
#include "support/conformance.hpp"
#include "support/skip.hpp"

namespace {

namespace fs = std::filesystem;
namespace df = dbuild::dockerfile;
using nlohmann::json;

fs::path corpus_dir() {
  return dbuild::test::conformance_corpus(DBUILD_CONFORMANCE_DIR, "dockerfile-parser").parent_path();
}

using dbuild::test::read_bytes;

json load_json(const fs::path& path) { return json::parse(read_bytes(path)); }

std::vector<std::string> strings_of(const json& list) {
  std::vector<std::string> out;
  if (list.is_null()) return out;
  for (const json& item : list) out.push_back(item.get<std::string>());
  return out;
}

// Counts cases per group and keeps one line per failure, so that one run shows them all.
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
};

struct Report {
  std::deque<std::pair<std::string, Tally>> groups;  // deque: group() references stay valid

  Tally& group(const std::string& name) { return groups.emplace_back(name, Tally{}).second; }

  void print(const std::string& title) const {
    int passed = 0;
    int total = 0;
    for (const auto& [name, tally] : groups) {
      passed += tally.passed;
      total += tally.total;
      WARN(name << ": " << tally.passed << "/" << tally.total << " passed");
      for (const auto& failure : tally.failures) UNSCOPED_INFO("FAILED " << name << ": " << failure);
    }
    WARN(title << ": " << passed << "/" << total << " passed");
    CHECK(passed == total);
  }
};

void run_dump_cases(const fs::path& dir, Tally& tally) {
  for (const auto& entry : fs::directory_iterator(dir / "dockerfile-parser")) {
    const std::string name = entry.path().filename().string();
    auto parsed = df::parse(read_bytes(entry.path() / "Dockerfile"));
    if (!parsed) {
      tally.record(false, name + ": " + parsed.status().message());
      continue;
    }
    const std::string got = df::dump(parsed->root) + "\n";
    const std::string want = read_bytes(entry.path() / "result");
    tally.record(got == want, name + ":\n--- got\n" + got + "--- want\n" + want);
  }
}

void run_negative_cases(const fs::path& dir, Tally& tally) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"empty_dockerfile", "file with no instructions"},
      {"only_comments", "file with no instructions"},
      {"env_no_value", "ENV must have two arguments"},
      {"shykes-nested-json", "when using JSON array syntax, arrays must be comprised of strings only"},
  };
  for (const auto& [name, message] : expected) {
    auto parsed = df::parse(read_bytes(dir / "dockerfile-parser-negative" / name / "Dockerfile"));
    const bool ok = !parsed && parsed.status().message() == message;
    tally.record(ok, name + ": " + (parsed ? std::string("parsed") : parsed.status().message()));
  }
}

void run_line_case(const fs::path& dir, Tally& tally) {
  const auto expected = load_json(dir / "dockerfile-parser-line" / "expected.json");
  auto parsed = df::parse(read_bytes(dir / "dockerfile-parser-line" / "Dockerfile"));
  if (!parsed) return tally.record(false, parsed.status().message());
  const auto& root = parsed->root;
  bool ok = root.start_line == expected["root"]["start_line"] && root.end_line == expected["root"]["end_line"] &&
            root.next.size() == expected["children"].size();
  for (std::size_t i = 0; ok && i < root.next.size(); ++i) {
    const auto& want = expected["children"][i];
    std::string instruction = want["instruction"].get<std::string>();
    for (char& c : instruction) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ok = root.next[i].start_line == want["start_line"] && root.next[i].end_line == want["end_line"] &&
         root.next[i].value == instruction;
  }
  tally.record(ok, "line numbers of testfile-line/Dockerfile");
}

void run_parse_words(const fs::path& dir, Tally& tally) {
  const auto data = load_json(dir / "dockerfile-parser-extra" / "parse-words.json");
  for (const auto& c : data["cases"]) {
    const auto got = df::parse_words(c["input"].get<std::string>(), '\\');
    tally.record(got == strings_of(c["expect"]), c.dump());
  }
}

void run_json_arrays(const fs::path& dir, Tally& tally) {
  const auto data = load_json(dir / "dockerfile-parser-extra" / "json-arrays.json");
  for (const auto& c : data["valid"]) {
    auto got = df::parse_json_array(c["input"].get<std::string>());
    tally.record(got && *got && **got == strings_of(c["expect"]), c.dump());
  }
  for (const auto& input : data["invalid"]) {
    auto got = df::parse_json_array(input.get<std::string>());
    tally.record(!got && got.status().message() ==
                             "when using JSON array syntax, arrays must be comprised of strings only",
                 input.dump());
  }
}

bool directive_matches(const std::optional<df::FoundDirective>& found, const json& c) {
  if (found.has_value() != c["found"].get<bool>()) return false;
  if (!found) return true;
  if (c.contains("value") && found->value != c["value"]) return false;
  if (c.contains("cmdline") && found->cmdline != c["cmdline"]) return false;
  if (c.contains("line") && found->line != c["line"]) return false;
  return true;
}

void run_directives(const fs::path& dir, Tally& tally) {
  const auto data = load_json(dir / "dockerfile-parser-extra" / "directives.json");
  for (const auto& c : data["parse_all"]["cases"]) {
    const auto got = df::parse_all_directives(c["input"].get<std::string>());
    bool ok = got.size() == c["expect_count"].get<std::size_t>();
    for (std::size_t i = 0; ok && i < got.size(); ++i)
      ok = got[i].name == c["expect"][i]["name"] && got[i].value == c["expect"][i]["value"];
    tally.record(ok, "parse_all " + c.dump());
  }
  for (const auto& c : data["detect_syntax"]["cases"]) {
    std::string input = c["input"].get<std::string>();
    if (c.value("bom_prefix", false)) input = "\xEF\xBB\xBF" + input;
    tally.record(directive_matches(df::detect_syntax(input), c), "detect_syntax " + c.dump());
  }
  for (const auto& c : data["parse_directive_check"]["cases"]) {
    tally.record(directive_matches(df::find_directive("check", c["input"].get<std::string>()), c),
                 "check " + c.dump());
  }
}

bool heredocs_match(const std::vector<df::Heredoc>& got, const json& want) {
  if (want.is_null()) return got.empty();
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto& w = want[i];
    if (got[i].name != w["Name"] || got[i].file_descriptor != w["FileDescriptor"] || got[i].expand != w["Expand"] ||
        got[i].chomp != w["Chomp"] || got[i].content != w["Content"])
      return false;
  }
  return true;
}

void run_heredoc_file(const fs::path& dir, Tally& tally) {
  const auto expected = load_json(dir / "dockerfile-parser-extra" / "heredoc" / "expected.json");
  auto parsed = df::parse(read_bytes(dir / "dockerfile-parser-extra" / "heredoc" / "Dockerfile"));
  for (const auto& c : expected["cases"]) {
    const auto index = c["ast_child_index"].get<std::size_t>();
    const bool ok = parsed && index < parsed->root.next.size() &&
                    heredocs_match(parsed->root.next[index].heredocs, c["heredocs"]);
    tally.record(ok, "heredoc child " + std::to_string(index) + " (" + c.value("upstream_comment", "") + ")");
  }
  const auto json_expected = load_json(dir / "dockerfile-parser-extra" / "heredoc-json" / "expected.json");
  auto json_parsed = df::parse(read_bytes(dir / "dockerfile-parser-extra" / "heredoc-json" / "Dockerfile"));
  for (const auto& index : json_expected["children_without_heredocs"]) {
    const auto i = index.get<std::size_t>();
    tally.record(json_parsed && i < json_parsed->root.next.size() && json_parsed->root.next[i].heredocs.empty(),
                 "heredoc-json child " + std::to_string(i));
  }
}

void run_heredoc_helpers(const fs::path& dir, Tally& tally) {
  const auto data = load_json(dir / "dockerfile-parser-extra" / "heredoc-helpers.json");
  for (const auto& word : data["parse_heredoc_word"]["valid"]) {
    auto got = df::parse_heredoc(word.get<std::string>());
    tally.record(got && *got && (*got)->name == "EOF", "valid " + word.dump());
  }
  for (const auto& word : data["parse_heredoc_word"]["invalid"]) {
    tally.record(!df::parse_heredoc(word.get<std::string>()), "invalid " + word.dump());
  }
  for (const auto& word : data["parse_heredoc_word"]["not_heredoc"]) {
    auto got = df::parse_heredoc(word.get<std::string>());
    tally.record(got && !*got, "not heredoc " + word.dump());
  }
  for (const auto& c : data["heredocs_from_line"]["cases"]) {
    auto got = df::heredocs_from_line(c["line"].get<std::string>());
    std::vector<std::string> names;
    if (got)
      for (const auto& heredoc : *got) names.push_back(heredoc.name);
    tally.record(got && names == strings_of(c["heredoc_names"]), "from line " + c.dump());
  }
  const auto& chomp = data["chomp"];
  tally.record(df::chomp_heredoc_content(chomp["input"].get<std::string>()) == chomp["expected"], "chomp");
}

void run_empty_continuation(const fs::path& dir, Tally& tally) {
  const auto expected = load_json(dir / "dockerfile-parser-extra" / "empty-continuation" / "expected.json");
  auto parsed = df::parse(read_bytes(dir / "dockerfile-parser-extra" / "empty-continuation" / "Dockerfile"));
  bool ok = parsed && parsed->warnings.size() == expected["warnings_count"].get<std::size_t>();
  for (std::size_t i = 0; ok && i < parsed->warnings.size(); ++i) {
    const auto& want = expected["warnings"][i];
    for (const auto& part : want["short_contains"])
      ok = ok && parsed->warnings[i].short_message.find(part.get<std::string>()) != std::string::npos;
    if (want.contains("detail_contains"))
      ok = ok && parsed->warnings[i].detail.find(want["detail_contains"].get<std::string>()) != std::string::npos;
  }
  tally.record(ok, "empty continuation warnings");
}

void run_line_too_long(const fs::path& dir, Tally& tally) {
  const auto data = load_json(dir / "dockerfile-parser-extra" / "line-too-long.json");
  std::string input = data["template"].get<std::string>();
  const std::string fill(data["fill_count"].get<std::size_t>(), data["fill_char"].get<std::string>()[0]);
  input.replace(input.find("%s"), 2, fill);
  auto parsed = df::parse(input);
  tally.record(!parsed && parsed.status().message() == data["expected_error"], "line too long");
}

TEST_CASE("the dockerfile parser passes BuildKit's parser test data", "[conformance][dockerfile][parser]") {
  const fs::path dir = corpus_dir();
  Report report;
  run_dump_cases(dir, report.group("dockerfile-parser (AST dumps)"));
  run_negative_cases(dir, report.group("dockerfile-parser-negative"));
  run_line_case(dir, report.group("dockerfile-parser-line"));
  run_parse_words(dir, report.group("extra/parse-words"));
  run_json_arrays(dir, report.group("extra/json-arrays"));
  run_directives(dir, report.group("extra/directives"));
  run_heredoc_file(dir, report.group("extra/heredoc + heredoc-json"));
  run_heredoc_helpers(dir, report.group("extra/heredoc-helpers"));
  run_empty_continuation(dir, report.group("extra/empty-continuation"));
  run_line_too_long(dir, report.group("extra/line-too-long"));
  report.print("dockerfile parser cases");
}

}  // namespace
