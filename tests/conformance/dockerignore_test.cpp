// dockerignore_test.cpp: runs every case of the third-party .dockerignore corpus
// (/work/shared/conformance/dockerignore: moby/patternmatcher, fsutil and BuildKit test data)
// against core/patterns, and prints how many passed.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "patterns/context_filter.hpp"
#include "patterns/context_walk.hpp"
#include "patterns/dockerignore.hpp"
#include "patterns/go_text.hpp"
#include "patterns/pattern_matcher.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using dbuild::patterns::ContextFilter;
using dbuild::patterns::MatchInfo;
using dbuild::patterns::PatternMatcher;
using dbuild::patterns::WalkAction;
using nlohmann::json;

json load_corpus(const std::string& file) {
  const fs::path path = fs::path(DBUILD_CONFORMANCE_DIR) / "dockerignore" / file;
  if (!fs::exists(path)) dbuild::test::skip_test("conformance corpus not found: " + path.string());
  std::ifstream in(path, std::ios::binary);
  return json::parse(in);
}

std::vector<std::string> strings_of(const json& list) {
  std::vector<std::string> out;
  for (const json& item : list) out.push_back(item.get<std::string>());
  return out;
}

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
    WARN(name << ": " << passed << "/" << total << " passed");
    for (const std::string& failure : failures) UNSCOPED_INFO("FAILED " << failure);
    CHECK(failures.empty());
  }
};

std::string describe(const json& c) { return "case " + std::to_string(c.value("id", -1)) + " " + c.dump(); }

// The package-level patternmatcher.Matches helper: compile, clean the path, never match ".".
// (Its deprecated single-parent rule is not reproduced; see pattern_matcher.hpp.)
dbuild::sdk::Result<bool> package_matches(const std::vector<std::string>& patterns, const std::string& path) {
  auto matcher = PatternMatcher::compile(patterns);
  if (!matcher) return matcher.status();
  const std::string cleaned = dbuild::patterns::clean_path(path);
  if (cleaned == ".") return false;
  return matcher->matches(cleaned);
}

// MatchesUsingParentResults fed top-down with each parent's MatchInfo, as the upstream test does.
dbuild::sdk::Result<bool> incremental_matches(const PatternMatcher& matcher, const std::string& path) {
  MatchInfo parent;
  const std::string dir = dbuild::patterns::dir_path(path);
  if (dir != ".") {
    std::size_t end = 0;
    while (true) {
      end = dir.find('/', end);
      MatchInfo info;
      auto ignored = matcher.matches_incrementally(dir.substr(0, end), parent, info);
      (void)ignored;
      parent = std::move(info);
      if (end == std::string::npos) break;
      ++end;
    }
  }
  MatchInfo info;
  return matcher.matches_incrementally(path, parent, info);
}

bool same(const dbuild::sdk::Result<bool>& got, bool expected) { return got.has_value() && *got == expected; }

bool check_pattern_case(const json& c) {
  const auto patterns = strings_of(c.at("patterns"));
  const std::string path = c.at("path");
  const bool expect_error = c.value("expect_error", false);
  const std::string group = c.at("group");
  if (group == "simple" || group == "filepath-match") {
    auto got = package_matches(patterns, path);
    return expect_error ? !got.has_value() : same(got, c.at("expected").get<bool>());
  }
  auto matcher = PatternMatcher::compile(patterns);
  if (group == "regression") {
    if (!matcher) return false;  // constructing must succeed; matching must fail, every time
    for (int i = 0; i < c.value("repeat", 1); ++i) {
      if (matcher->matches(path).has_value()) return false;
      MatchInfo info;
      if (matcher->matches_incrementally(path, MatchInfo{}, info).has_value()) return false;
    }
    return true;
  }
  if (!matcher) return expect_error;
  const bool expected = c.at("expected").get<bool>();
  MatchInfo info;
  return same(matcher->matches(path), expected) && same(incremental_matches(*matcher, path), expected) &&
         same(matcher->matches_incrementally(path, MatchInfo{}, info), expected);
}

TEST_CASE("patterns match as moby/patternmatcher's test tables say", "[conformance][dockerignore]") {
  const json corpus = load_corpus("patterns.json");
  Tally tally;
  for (const json& c : corpus.at("cases")) tally.record(check_pattern_case(c), describe(c));
  tally.report("dockerignore patterns");
}

TEST_CASE("pattern lists are cleaned and .dockerignore files read as moby/patternmatcher says",
          "[conformance][dockerignore]") {
  const json corpus = load_corpus("patterns.json");
  Tally cleaning;
  for (const json& c : corpus.at("pattern_list_cleaning").at("cases")) {
    auto matcher = PatternMatcher::compile(strings_of(c.at("patterns")));
    bool ok = matcher.has_value() != c.at("expect_error").get<bool>();
    if (ok && matcher && c.contains("expected_pattern_count")) {
      ok = matcher->patterns().size() == c.at("expected_pattern_count").get<std::size_t>();
    }
    if (ok && matcher && c.contains("expected_has_exclusions")) {
      ok = matcher->has_exclusions() == c.at("expected_has_exclusions").get<bool>();
    }
    cleaning.record(ok, c.dump());
  }
  cleaning.report("dockerignore pattern-list cleaning");

  Tally reading;
  const json& readall = corpus.at("ignorefile_readall");
  auto parsed = dbuild::patterns::parse_dockerignore(readall.at("input").get<std::string>());
  reading.record(parsed.has_value() && *parsed == strings_of(readall.at("expected")), readall.dump());
  reading.report("dockerignore file reading");
}

void create_tree(const fs::path& root, const json& tree) {
  for (const json& item : tree) {
    const fs::path path = root / item.at("path").get<std::string>();
    fs::create_directories(path.parent_path());
    const std::string type = item.at("type");
    if (type == "dir") {
      fs::create_directories(path);
    } else if (type == "symlink") {
      fs::create_symlink(item.at("target").get<std::string>(), path);
    } else {
      std::ofstream(path, std::ios::binary) << item.value("data", std::string());
    }
  }
}

std::vector<std::string> walk_listing(const std::string& root, const ContextFilter& filter,
                                      dbuild::sdk::Status& status) {
  std::vector<std::string> listing;
  status = dbuild::patterns::walk_context(
      root, filter, [&](std::string_view path, const struct stat& info) -> dbuild::sdk::Result<WalkAction> {
        std::string type = "file";
        if (S_ISDIR(info.st_mode)) type = "dir";
        if (S_ISLNK(info.st_mode)) {
          std::error_code error;
          type = "symlink:" + fs::read_symlink(fs::path(root) / std::string(path), error).string();
        }
        listing.push_back(type + " " + std::string(path));
        return WalkAction::Continue;
      });
  return listing;
}

bool check_walk_case(const json& c) {
  dbuild::test::TempDir dir;
  create_tree(dir.path(), c.at("tree"));
  auto filter = ContextFilter::compile(strings_of(c.at("include_patterns")), strings_of(c.at("exclude_patterns")));
  if (c.value("expect_error", false)) return !filter.has_value();
  if (!filter) return false;
  if (c.contains("expected_walk")) {
    dbuild::sdk::Status status;
    const auto listing = walk_listing(dir.path().string(), *filter, status);
    if (!status || listing != strings_of(c.at("expected_walk"))) return false;
  }
  const json expected_open = c.value("expected_open", json::object());
  for (const auto& [path, expected] : expected_open.items()) {
    auto included = filter->includes(path);
    std::error_code error;
    const bool opens = included.has_value() && *included && fs::exists(fs::symlink_status(dir.path() / path, error));
    if (opens != expected.get<bool>()) return false;
  }
  return true;
}

TEST_CASE("the context walk reports what BuildKit's fsutil walk reports, in the same order",
          "[conformance][dockerignore]") {
  const json corpus = load_corpus("context-walk.json");
  Tally tally;
  for (const json& c : corpus.at("cases")) tally.record(check_walk_case(c), describe(c));
  tally.report("dockerignore context walk");
}

// The build scenarios need a builder; what they say about the context (which files COPY . .
// sees) is checked here: the .dockerignore chosen for the Dockerfile is parsed and applied by
// the context walk, and the result is compared with what the build must see.
std::map<std::string, std::string> filtered_context(const json& context, const std::string& dockerfile,
                                                    dbuild::sdk::Status& status) {
  dbuild::test::TempDir dir;
  for (const auto& [name, content] : context.items()) {
    std::ofstream(dir.path() / name, std::ios::binary) << content.get<std::string>();
  }
  std::vector<std::string> excludes;
  for (const std::string& candidate : dbuild::patterns::dockerignore_candidates(dockerfile)) {
    if (!context.contains(candidate)) continue;
    auto parsed = dbuild::patterns::parse_dockerignore(context.at(candidate).get<std::string>());
    if (!parsed) {
      status = parsed.status();
      return {};
    }
    excludes = std::move(*parsed);
    break;
  }
  std::map<std::string, std::string> files;
  status =
      dbuild::patterns::walk_context(dir.path().string(), {}, excludes,
                                     [&](std::string_view path, const struct stat&) -> dbuild::sdk::Result<WalkAction> {
                                       std::ifstream in(dir.path() / std::string(path), std::ios::binary);
                                       std::ostringstream content;
                                       content << in.rdbuf();
                                       files[std::string(path)] = content.str();
                                       return WalkAction::Continue;
                                     });
  return files;
}

// The RUN line's `[ -f name ]` and `[ ! -f name ]` tests, evaluated on the filtered context.
bool run_tests_hold(const std::string& dockerfile_text, const std::map<std::string, std::string>& files) {
  std::istringstream words(dockerfile_text.substr(dockerfile_text.find("RUN")));
  std::vector<std::string> tokens{std::istream_iterator<std::string>(words), {}};
  int checked = 0;
  for (std::size_t i = 0; i + 2 < tokens.size(); ++i) {
    if (tokens[i] != "[") continue;
    const bool negated = tokens[i + 1] == "!";
    const std::size_t flag = negated ? i + 2 : i + 1;
    if (flag + 1 >= tokens.size() || tokens[flag] != "-f") return false;
    if (files.contains(tokens[flag + 1]) == negated) return false;
    ++checked;
  }
  return checked > 0;
}

TEST_CASE("the build scenarios see the context that .dockerignore leaves", "[conformance][dockerignore]") {
  const json corpus = load_corpus("build-scenarios.json");
  Tally tally;
  for (const json& scenario : corpus.at("scenarios")) {
    const json& context = scenario.at("context");
    if (!scenario.contains("builds")) {
      dbuild::sdk::Status status;
      const auto files = filtered_context(context, "Dockerfile", status);
      bool ok = status.is_ok() == scenario.at("expect_success").get<bool>();
      const json present = scenario.value("exported_present", json::object());
      for (const auto& [name, content] : present.items()) {
        ok = ok && files.contains(name) && files.at(name) == content.get<std::string>();
      }
      for (const json& name : scenario.value("exported_absent", json::array())) {
        ok = ok && !files.contains(name.get<std::string>());
      }
      tally.record(ok, scenario.dump());
      continue;
    }
    for (const json& build : scenario.at("builds")) {
      const std::string dockerfile = build.at("dockerfile");
      dbuild::sdk::Status status;
      const auto files = filtered_context(context, dockerfile, status);
      const bool ok = status.is_ok() && run_tests_hold(context.at(dockerfile).get<std::string>(), files) ==
                                            build.at("expect_success").get<bool>();
      tally.record(ok, scenario.at("upstream_test").get<std::string>() + " with " + dockerfile);
    }
  }
  tally.report("dockerignore build scenarios (context level)");
}

}  // namespace
