// history_why.cpp: `dbuild history why [REF] [STEP]`: why a step ran instead of coming from the
// cache. Its recorded cache-key inputs (the op, the base image, the inputs' keys, the checksums
// of the context files it read) are compared with the same step (same stage and position) in
// the most recent earlier build that computed or cached it, and what changed is named: a file,
// a build argument or environment variable, the command, the base image, or an earlier step,
// followed down to its own reason.
#include <algorithm>
#include <map>
#include <ostream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/history/history_commands.hpp"
#include "cli/history/history_common.hpp"
#include "cli/units.hpp"

namespace dbuild::cli {
namespace {

using json = nlohmann::json;
using namespace history_cli;

json inputs_of(const history::StepRecord& step) {
  auto doc = json::parse(step.key_inputs.empty() ? "{}" : step.key_inputs, nullptr, false);
  return doc.is_object() ? doc : json::object();
}

std::string short_value(const std::string& text) {
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

std::string short_digest(const std::string& digest) {
  return digest.rfind("sha256:", 0) == 0 ? digest.substr(0, 19) : short_value(digest);
}

// "NAME=VALUE" entries of an exec op's env, as a map.
std::map<std::string, std::string> env_of(const json& op) {
  std::map<std::string, std::string> env;
  const json* exec = op.contains("exec") ? &op["exec"] : &op;
  if (!exec->contains("env") || !(*exec)["env"].is_array()) return env;
  for (const auto& entry : (*exec)["env"]) {
    if (!entry.is_string()) continue;
    const auto text = entry.get<std::string>();
    const auto equals = text.find('=');
    env[text.substr(0, equals)] = equals == std::string::npos ? "" : text.substr(equals + 1);
  }
  return env;
}

// The differences between two ops' JSON, as sentences; env entries one by one (build args
// reach RUN through its environment).
void explain_op(const json& before, const json& now, const std::map<std::string, std::string>& build_args,
                std::vector<std::string>& reasons) {
  if (before == now) return;
  const auto old_env = env_of(before);
  const auto new_env = env_of(now);
  std::set<std::string> names;
  for (const auto& [name, value] : old_env) names.insert(name);
  for (const auto& [name, value] : new_env) names.insert(name);
  for (const auto& name : names) {
    auto was = old_env.find(name);
    auto is = new_env.find(name);
    if (was != old_env.end() && is != new_env.end() && was->second == is->second) continue;
    const char* kind = build_args.count(name) ? "build arg" : "environment variable";
    if (was == old_env.end())
      reasons.push_back(fmt::format("{} {} is new: \"{}\"", kind, name, short_value(is->second)));
    else if (is == new_env.end())
      reasons.push_back(fmt::format("{} {} is gone (was \"{}\")", kind, name, short_value(was->second)));
    else
      reasons.push_back(fmt::format("{} {} changed: \"{}\" -> \"{}\"", kind, name, short_value(was->second),
                                    short_value(is->second)));
  }
  // Everything else, field by field, one level into the op's body.
  auto body = [](const json& op) -> const json& {
    return op.is_object() && op.size() == 1 && op.begin()->is_object() ? *op.begin() : op;
  };
  const json& old_body = body(before);
  const json& new_body = body(now);
  if (!old_body.is_object() || !new_body.is_object()) {
    reasons.push_back("the instruction changed");
    return;
  }
  std::set<std::string> keys;
  for (const auto& [key, value] : old_body.items()) keys.insert(key);
  for (const auto& [key, value] : new_body.items()) keys.insert(key);
  for (const auto& key : keys) {
    if (key == "env") continue;
    const json old_value = old_body.contains(key) ? old_body[key] : json();
    const json new_value = new_body.contains(key) ? new_body[key] : json();
    if (old_value == new_value) continue;
    if (key == "args" && old_value.is_array() && new_value.is_array()) {
      std::string was, is;
      for (const auto& arg : old_value) was += (was.empty() ? "" : " ") + arg.get<std::string>();
      for (const auto& arg : new_value) is += (is.empty() ? "" : " ") + arg.get<std::string>();
      reasons.push_back(fmt::format("the command changed: \"{}\" -> \"{}\"", short_value(was), short_value(is)));
    } else {
      reasons.push_back(fmt::format("the instruction's {} changed: {} -> {}", key, short_value(old_value.dump()),
                                    short_value(new_value.dump())));
    }
  }
}

// What changed among the context files one selection covered.
void explain_local(const json& before, const json& now, std::vector<std::string>& reasons) {
  std::map<std::string, const json*> old_by_path;
  if (before.is_array())
    for (const auto& entry : before) old_by_path[entry.value("path", "")] = &entry;
  if (!now.is_array()) return;
  for (const auto& entry : now) {
    const std::string path = entry.value("path", "");
    auto found = old_by_path.find(path);
    if (found == old_by_path.end()) {
      reasons.push_back(fmt::format("it reads context path \"{}\", which the earlier build's step did not", path));
      continue;
    }
    const json& old_entry = *found->second;
    if (old_entry.value("checksum", "") == entry.value("checksum", "")) continue;
    const json old_files = old_entry.value("files", json::object());
    const json new_files = entry.value("files", json::object());
    std::vector<std::string> changed, added, removed;
    for (const auto& [file, summary] : new_files.items()) {
      if (!old_files.contains(file)) added.push_back(file);
      else if (old_files[file] != summary) changed.push_back(file);
    }
    for (const auto& [file, summary] : old_files.items())
      if (!new_files.contains(file)) removed.push_back(file);
    const std::size_t listed = new_files.size();
    const std::size_t count = entry.value("file_count", listed);
    auto list = [](const std::vector<std::string>& files) {
      std::string out;
      for (std::size_t i = 0; i < files.size() && i < 10; ++i) out += (i ? ", " : "") + files[i];
      if (files.size() > 10) out += fmt::format(" and {} more", files.size() - 10);
      return out;
    };
    if (!changed.empty()) reasons.push_back(fmt::format("file{} changed: {}", changed.size() > 1 ? "s" : "", list(changed)));
    if (!added.empty()) reasons.push_back(fmt::format("file{} added: {}", added.size() > 1 ? "s" : "", list(added)));
    if (!removed.empty()) reasons.push_back(fmt::format("file{} removed: {}", removed.size() > 1 ? "s" : "", list(removed)));
    if (changed.empty() && added.empty() && removed.empty()) {
      if (count > listed)
        reasons.push_back(fmt::format("the files under \"{}\" changed ({} files; the record lists the first {}, "
                                      "which did not change)",
                                      path, count, listed));
      else
        reasons.push_back(fmt::format("the files under \"{}\" changed (modes or links)", path));
    }
  }
}

struct Explainer {
  history::HistoryStore& store;
  const history::BuildRecord& build;
  const std::vector<history::StepRecord>& steps;
  std::ostream& out;
  std::set<std::string> explained;  // digests already explained, so shared inputs print once

  const history::StepRecord* step_by_digest(const std::string& digest) const {
    for (const auto& step : steps)
      if (step.digest == digest) return &step;
    return nullptr;
  }

  // Prints why `step` ran; follows changed inputs down to their own reasons.
  sdk::Status explain(const history::StepRecord& step, int depth) {
    if (!explained.insert(step.digest).second) return sdk::Status::ok();
    const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
    if (step.state == "cached") {
      out << indent << fmt::format("#{} {}: came from the cache\n", step.number, step.name);
      return sdk::Status::ok();
    }
    if (step.state == "skipped" || step.state == "cancelled") {
      out << indent << fmt::format("#{} {}: did not run ({})\n", step.number, step.name, step.state);
      return sdk::Status::ok();
    }
    auto previous = store.previous_step(build, step);
    if (!previous) return previous.status();
    if (!*previous) {
      out << indent << fmt::format("#{} {}: ran because no earlier build recorded this step ({})\n", step.number,
                                   step.name,
                                   step.position ? fmt::format("stage {}, position {}",
                                                               step.stage.empty() ? "-" : step.stage, step.position)
                                                 : "by name");
      return sdk::Status::ok();
    }
    const auto& [earlier_build, earlier] = **previous;
    const std::string since = fmt::format("build {} ({})", earlier_build.ref.substr(0, 12),
                                          format_age(earlier_build.started / 1000000000LL));
    if (!earlier.cache_key.empty() && earlier.cache_key == step.cache_key) {
      out << indent << fmt::format("#{} {}: ran with the same cache key as in {}: its result was not in the cache "
                                   "(pruned, --no-cache, or never stored)\n",
                                   step.number, step.name, since);
      return sdk::Status::ok();
    }
    const json now = inputs_of(step);
    const json before = inputs_of(earlier);
    std::vector<std::string> reasons;
    if (now.contains("identity") && before.value("identity", "") != now.value("identity", "")) {
      reasons.push_back(fmt::format("the source changed: {} -> {}", short_digest(before.value("identity", "(none)")),
                                    short_digest(now.value("identity", ""))));
    }
    explain_op(before.value("op", json()), now.value("op", json()), build.build_args, reasons);
    explain_local(before.value("local", json::array()), now.value("local", json::array()), reasons);
    std::vector<const history::StepRecord*> changed_inputs;
    const json old_inputs = before.value("inputs", json::array());
    const json new_inputs = now.value("inputs", json::array());
    for (std::size_t i = 0; i < new_inputs.size(); ++i) {
      const auto& input = new_inputs[i];
      if (i < old_inputs.size() && old_inputs[i].value("key", "") == input.value("key", "")) continue;
      const auto* input_step = step_by_digest(input.value("digest", ""));
      if (!input_step) {
        reasons.push_back(fmt::format("input {} changed", i + 1));
        continue;
      }
      if (inputs_of(*input_step).value("identity", "").rfind("local:", 0) == 0) continue;  // the files say it
      reasons.push_back(fmt::format("its input #{} {} changed", input_step->number, input_step->name));
      changed_inputs.push_back(input_step);
    }
    if (reasons.empty())
      reasons.push_back(before.empty() ? "the earlier build did not record what its key was made of"
                                       : "its cache key changed in a way the record cannot name");
    out << indent << fmt::format("#{} {}: ran because, since {}:\n", step.number, step.name, since);
    for (const auto& reason : reasons) out << indent << "  - " << reason << "\n";
    for (const auto* input : changed_inputs)
      if (auto status = explain(*input, depth + 2); !status) return status;
    return sdk::Status::ok();
  }
};

bool is_engine_step(const history::StepRecord& step) {
  return step.name.rfind("[internal]", 0) == 0 || step.name.rfind("exporting to", 0) == 0 || step.key_inputs.empty();
}

int run_why(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[REF] [STEP]",
                       "Say why steps ran instead of coming from the cache: what changed since the most recent "
                       "earlier build that had the same step (same stage and position). STEP is the #N of the "
                       "build's logs, or text of the step's name; without it, every step that ran.");
  parser.positional("ref-and-step", 2, 0);
  if (auto exit = parser.parse(app, args)) return *exit;
  const auto& positionals = parser.positionals();
  auto found = find_build(app, positionals.empty() ? "" : positionals[0]);
  if (!found) return report_error(app, found.status());
  auto steps = found->store->steps(found->build.id, false);
  if (!steps) return report_error(app, steps.status());
  Explainer explainer{*found->store, found->build, *steps, app.out(), {}};
  app.out() << fmt::format("Build {} ({}, {}):\n", found->build.ref, found->build.name,
                           format_age(found->build.started / 1000000000LL));
  if (positionals.size() == 2) {
    const std::string& wanted = positionals[1];
    const history::StepRecord* step = nullptr;
    for (const auto& candidate : *steps)
      if (std::to_string(candidate.number) == wanted || candidate.name.find(wanted) != std::string::npos) {
        step = &candidate;
        break;
      }
    if (!step) return usage_error(app, path, fmt::format("no step \"{}\" in build {}", wanted, found->build.ref));
    if (auto status = explainer.explain(*step, 1); !status) return report_error(app, status);
    return kExitOk;
  }
  bool any = false;
  for (const auto& step : *steps) {
    if (is_engine_step(step) || (step.state != "done" && step.state != "failed")) continue;
    any = true;
    if (auto status = explainer.explain(step, 1); !status) return report_error(app, status);
  }
  if (!any) app.out() << "  every step came from the cache\n";
  return kExitOk;
}

}  // namespace

Command history_why_command() {
  return Command{"why", "Say why steps ran instead of coming from the cache", run_why, {}};
}

}  // namespace dbuild::cli
