// dockerfile_instructions_test.cpp: runs every case of conformance/dockerfile-instructions'
// instructions, builder-flags, run-device, json-args and expose-ports data against the instruction
// parser and prints how many passed (the converter's tests own the other files there).
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "instructions/builder_flags.hpp"
#include "instructions/instructions.hpp"
#include "parser/parser.hpp"
#include "support/conformance.hpp"
#include "support/skip.hpp"

namespace {

namespace fs = std::filesystem;
namespace df = dbuild::dockerfile;
using nlohmann::json;

fs::path corpus_dir() { return dbuild::test::conformance_corpus(DBUILD_CONFORMANCE_DIR, "dockerfile-instructions"); }

json load_json(const fs::path& path) { return json::parse(dbuild::test::read_bytes(path)); }

std::vector<std::string> strings_of(const json& list) {
  std::vector<std::string> out;
  if (list.is_null()) return out;
  for (const json& item : list) out.push_back(item.get<std::string>());
  return out;
}

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

// The first instruction of a case: parsed from its Dockerfile text, or the hand-built AST node.
dbuild::sdk::Result<df::Node> first_node(const json& c) {
  if (c.contains("ast")) {
    df::Node node;
    node.value = c["ast"]["value"].get<std::string>();
    for (const auto& word : strings_of(c["ast"]["next"])) node.next.push_back(df::Node{.value = word});
    return node;
  }
  auto parsed = df::parse(c["dockerfile"].get<std::string>());
  if (!parsed) return parsed.status();
  return parsed->root.next.at(0);
}

void run_error_cases(const json& data, Tally& tally) {
  for (const auto& c : data["error_cases"]) {
    auto node = first_node(c);
    if (!node) {
      tally.record(false, c.dump() + ": the parser failed: " + node.status().message());
      continue;
    }
    auto command = df::parse_command(*node);
    const std::string want = c["expect_error"].get<std::string>();
    const std::string got = command ? "(no error)" : command.status().message();
    const bool ok = !command && (c["match"] == "exact" ? got == want : got.find(want) != std::string::npos);
    tally.record(ok, c.dump() + ": got " + got);
  }
}

template <class T>
const T* command_as(const dbuild::sdk::Result<df::Command>& command) {
  return command ? std::get_if<T>(&*command) : nullptr;
}

bool doc_comments_match(const json& expect, const std::string& text) {
  auto parsed = df::parse(text);
  if (!parsed) return false;
  auto dockerfile = df::parse_dockerfile(parsed->root);
  if (!dockerfile || dockerfile->stages.empty() || dockerfile->meta_args.size() != 1) return false;
  bool ok = dockerfile->stages[0].comment == expect["stage0_doc_comment"];
  const auto& meta = dockerfile->meta_args[0].args;
  ok = ok && meta.size() == 1 && meta[0].key == expect["meta_args"][0]["key"] &&
       meta[0].comment == expect["meta_args"][0]["doc_comment"];
  const auto& commands = dockerfile->stages[0].commands;
  ok = ok && commands.size() == expect["stage0_commands"].size();
  for (std::size_t i = 0; ok && i < commands.size(); ++i) {
    const auto* arg = std::get_if<df::ArgCommand>(&commands[i]);
    const auto& want = expect["stage0_commands"][i]["args"];
    ok = arg != nullptr && arg->args.size() == want.size();
    for (std::size_t j = 0; ok && j < arg->args.size(); ++j)
      ok = arg->args[j].key == want[j]["key"] && arg->args[j].comment == want[j]["doc_comment"];
  }
  return ok;
}

bool inline_files_match(const std::vector<df::InlineFile>& got, const json& want, bool run) {
  if (want.is_null()) return got.empty();
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto& w = want[i];
    if (run && (got[i].name != w["Name"] || got[i].data != w["Data"] || got[i].chomp != w["Chomp"])) return false;
    if (!run && (got[i].name != w["Path"] || got[i].data != w["Data"] || got[i].expand != w["Expand"])) return false;
  }
  return true;
}

bool ok_case_passes(const json& c) {
  const std::string group = c["group"].get<std::string>();
  const json& expect = c.contains("expect") ? c["expect"] : json();
  if (group == "doc-comments") return doc_comments_match(expect, c["dockerfile"].get<std::string>());
  if (group == "healthcheck-interval") {
    bool ok = true;
    for (const auto& v : c["values"]) {
      auto duration = df::parse_health_duration(c["flag"].get<std::string>().substr(2), v["value"].get<std::string>());
      if (v.contains("expect_error_contains")) {
        ok = ok && !duration && duration.status().message().find(v["expect_error_contains"].get<std::string>()) !=
                                    std::string::npos;
      } else {
        ok = ok && duration.has_value();
      }
    }
    return ok;
  }
  auto node = first_node(c);
  if (!node) return false;
  auto command = df::parse_command(*node);
  if (group == "healthcheck-cmd") {
    const auto* health = command_as<df::HealthcheckCommand>(command);
    return health != nullptr && health->health.test == strings_of(expect["health_test"]);
  }
  if (group == "run-flags-used") {
    const auto* run = command_as<df::RunCommand>(command);
    return run != nullptr && run->name == "run" && run->flags_used == strings_of(expect["flags_used"]);
  }
  if (group == "copy-heredoc") {
    const auto* copy = command_as<df::CopyCommand>(command);
    return copy != nullptr && copy->paths.dest == expect["DestPath"] &&
           copy->paths.sources == strings_of(expect["SourcePaths"]) &&
           inline_files_match(copy->paths.contents, expect["SourceContents"], false);
  }
  if (group == "run-heredoc") {
    const auto* run = command_as<df::RunCommand>(command);
    return run != nullptr && run->command.shell_form == expect["PrependShell"] &&
           run->command.args == strings_of(expect["CmdLine"]) &&
           inline_files_match(run->command.files, expect["Files"], true);
  }
  return false;
}

void run_ok_cases(const json& data, Tally& tally) {
  for (const auto& c : data["ok_cases"]) tally.record(ok_case_passes(c), c.dump());
}

bool builder_flags_case_passes(const json& c) {
  df::BuilderFlags flags(strings_of(c["args"]));
  std::vector<std::pair<std::string, df::Flag*>> defined;
  for (const auto& d : c["defined"]) {
    const std::string name = d["name"].get<std::string>();
    if (d["type"] == "bool") defined.emplace_back(name, &flags.add_bool(name, d["default"].get<bool>()));
    if (d["type"] == "string") defined.emplace_back(name, &flags.add_string(name, d["default"].get<std::string>()));
  }
  const auto status = flags.parse();
  if (c["expect_error"].get<bool>()) return !status;
  if (!status) return false;
  for (const auto& [name, flag] : defined) {
    if (!c.contains("expect_values") || !c["expect_values"].contains(name)) continue;
    const json& want = c["expect_values"][name];
    if (want.is_boolean() ? flag->is_true() != want.get<bool>() : flag->value != want.get<std::string>()) return false;
  }
  return !c.contains("expect_used") || flags.used() == strings_of(c["expect_used"]);
}

void run_builder_flags(const json& data, Tally& tally) {
  for (const auto& c : data["cases"]) tally.record(builder_flags_case_passes(c), c.dump());
}

void run_devices(const json& data, Tally& tally) {
  for (const auto& c : data["cases"]) {
    auto device = df::parse_run_device(c["input"].get<std::string>());
    bool ok = false;
    if (c.contains("expect_error")) {
      ok = !device && device.status().message() == c["expect_error"];
    } else {
      ok = device && device->name == c["expected"]["Name"] && device->required == c["expected"]["Required"];
    }
    tally.record(ok, c.dump() + (device ? "" : ": " + device.status().message()));
  }
}

void run_json_args(const json& data, Tally& tally) {
  for (const auto& c : data["cases"]) {
    const auto got = df::handle_json_args(strings_of(c["args"]), c["json"].get<bool>());
    tally.record(got == strings_of(c["expected"]), c.dump());
  }
}

void run_expose_ports(const json& data, Tally& tally) {
  for (const auto& c : data["cases"]) {
    std::vector<std::string> keys;
    std::string error;
    for (const auto& spec : strings_of(c["specs"])) {
      auto parsed = df::parse_expose_ports(spec);
      if (!parsed) {
        error = parsed.status().message();
        break;
      }
      keys.insert(keys.end(), parsed->begin(), parsed->end());
    }
    bool ok = false;
    if (!c.contains("expect_error")) {
      ok = error.empty() && keys == strings_of(c["expected"]);
    } else if (c["expect_error"].is_string()) {
      ok = error == c["expect_error"];
    } else {
      ok = !error.empty();
    }
    tally.record(ok, c.dump() + (error.empty() ? "" : ": " + error));
  }
}

TEST_CASE("the dockerfile instruction parser passes BuildKit's instruction test data",
          "[conformance][dockerfile][instructions]") {
  const fs::path dir = corpus_dir();
  Report report;
  const auto instructions = load_json(dir / "instructions.json");
  run_error_cases(instructions, report.group("instructions.json error_cases"));
  run_ok_cases(instructions, report.group("instructions.json ok_cases"));
  run_builder_flags(load_json(dir / "builder-flags.json"), report.group("builder-flags.json"));
  run_devices(load_json(dir / "run-device.json"), report.group("run-device.json"));
  run_json_args(load_json(dir / "json-args.json"), report.group("json-args.json"));
  run_expose_ports(load_json(dir / "expose-ports.json"), report.group("expose-ports.json"));
  report.print("dockerfile instruction cases");
}

}  // namespace
