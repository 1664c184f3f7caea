// lint.cpp: the checks, each a small function over the typed Dockerfile.
#include "convert/lint.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "convert/converter_impl.hpp"
#include "shell/lexer.hpp"

namespace dbuild::dockerfile {
namespace {

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

bool all_lower(const std::string& text) {
  return std::none_of(text.begin(), text.end(), [](unsigned char c) { return std::isupper(c); });
}
bool all_upper(const std::string& text) {
  return std::none_of(text.begin(), text.end(), [](unsigned char c) { return std::islower(c); });
}

void check_from(const Stage& stage, std::vector<LintFinding>& out) {
  auto parts = words(stage.original);
  if (parts.size() < 2) return;
  const std::string& keyword = parts.front();
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    std::string lowered = parts[i];
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lowered != "as") continue;
    const std::string& as = parts[i], &name = parts[i + 1];
    if (!all_lower(name))
      out.push_back({"StageNameCasing", "Stage name '" + name + "' should be lowercase", stage.location});
    if ((all_upper(keyword) && !all_upper(as)) || (all_lower(keyword) && !all_lower(as)))
      out.push_back({"FromAsCasing", "'" + as + "' and '" + keyword + "' keywords' casing do not match", stage.location});
  }
}

void check_undefined_args(const Dockerfile& dockerfile, const Stage& stage, char escape,
                          std::vector<LintFinding>& out) {
  std::set<std::string> declared;
  for (const auto& command : dockerfile.meta_args)
    for (const auto& arg : command.args) declared.insert(arg.key);
  for (const auto& [name, value] : platform_args({}, {})) declared.insert(name);
  Lexer lexer(escape);
  for (const auto* word : {&stage.base_name, &stage.platform}) {
    auto expanded = lexer.process_word(*word, [&](std::string_view name) -> std::optional<std::string> {
      if (declared.count(std::string(name))) return std::string();
      return std::nullopt;
    });
    if (!expanded) continue;
    for (const auto& name : expanded->unmatched)
      out.push_back({"UndefinedArgInFrom", "FROM argument '" + name + "' is not declared", stage.location});
  }
}

template <class T>
const T* as(const Command& command) {
  return std::get_if<T>(&command);
}

void check_commands(const Stage& stage, std::vector<LintFinding>& out) {
  bool absolute_workdir = false;
  for (const auto& command : stage.commands) {
    if (const auto* cmd = as<CmdCommand>(command); cmd && cmd->command.shell_form)
      out.push_back({"JSONArgsRecommended",
                     "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
                     cmd->location});
    if (const auto* entrypoint = as<EntrypointCommand>(command); entrypoint && entrypoint->command.shell_form)
      out.push_back({"JSONArgsRecommended",
                     "JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals",
                     entrypoint->location});
    auto legacy = [&](const std::vector<KeyValuePair>& pairs, const CommandBase& base, const char* keyword) {
      for (const auto& pair : pairs)
        if (pair.legacy_form) {
          out.push_back({"LegacyKeyValueFormat",
                         std::string("\"") + keyword + " key=value\" should be used instead of legacy \"" + keyword +
                             " key value\" format",
                         base.location});
          return;
        }
    };
    if (const auto* env = as<EnvCommand>(command)) legacy(env->env, *env, "ENV");
    if (const auto* label = as<LabelCommand>(command)) legacy(label->labels, *label, "LABEL");
    if (const auto* workdir = as<WorkdirCommand>(command)) {
      const bool absolute = !workdir->path.empty() && (workdir->path.front() == '/' || workdir->path.front() == '$');
      if (!absolute && !absolute_workdir)
        out.push_back({"WorkdirRelativePath",
                       "Relative workdir \"" + workdir->path + "\" can have unexpected results if the base image changes",
                       workdir->location});
      absolute_workdir = absolute_workdir || absolute;
    }
    if (const auto* maintainer = as<MaintainerCommand>(command))
      out.push_back({"MaintainerDeprecated", "Maintainer instruction is deprecated in favor of using label",
                     maintainer->location});
  }
}

}  // namespace

LintConfig parse_check_directive(const std::string& value) {
  LintConfig config;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto semicolon = value.find(';', start);
    auto item = value.substr(start, semicolon == std::string::npos ? std::string::npos : semicolon - start);
    auto equals = item.find('=');
    if (equals != std::string::npos) {
      auto key = item.substr(0, equals), val = item.substr(equals + 1);
      if (key == "skip") {
        std::size_t from = 0;
        while (from <= val.size()) {
          auto comma = val.find(',', from);
          auto rule = val.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
          if (!rule.empty()) config.skip.push_back(rule);
          if (comma == std::string::npos) break;
          from = comma + 1;
        }
      } else if (key == "error") {
        config.error = val == "true";
      }
    }
    if (semicolon == std::string::npos) break;
    start = semicolon + 1;
  }
  return config;
}

std::vector<LintFinding> lint(const Dockerfile& dockerfile, const LintConfig& config, char escape) {
  std::vector<LintFinding> findings;
  std::map<std::string, int> seen_names;
  for (const auto& stage : dockerfile.stages) {
    check_from(stage, findings);
    check_undefined_args(dockerfile, stage, escape, findings);
    if (!stage.name.empty() && seen_names[stage.name]++ > 0)
      findings.push_back({"DuplicateStageName", "Duplicate stage name \"" + stage.name + "\", stage names should be unique",
                          stage.location});
    check_commands(stage, findings);
  }
  auto skipped = [&](const LintFinding& finding) {
    return std::find(config.skip.begin(), config.skip.end(), "all") != config.skip.end() ||
           std::find(config.skip.begin(), config.skip.end(), finding.rule) != config.skip.end();
  };
  findings.erase(std::remove_if(findings.begin(), findings.end(), skipped), findings.end());
  std::stable_sort(findings.begin(), findings.end(),
                   [](const auto& a, const auto& b) { return a.location.start_line < b.location.start_line; });
  return findings;
}

}  // namespace dbuild::dockerfile
