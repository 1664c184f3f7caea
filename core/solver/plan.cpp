// plan.cpp: digests, deduplication, reachability and cache keys.
#include "solver/plan.hpp"

#include <map>

#include <dbuild/sdk/definition_json.hpp>
#include <nlohmann/json.hpp>

#include "oci/sha256.hpp"

namespace dbuild::solver {
namespace {

// Bumped when the meaning of a key changes (a new rule in the worker, a fixed bug in how a step
// runs), so that results computed the old way are not reused.
constexpr const char* kCacheKeyVersion = "dbuild-cache-key/v1";

std::string step_name(const sdk::Definition& definition, sdk::OpIndex index) {
  const auto& description = definition.node(index).metadata.description;
  return description.empty() ? std::string(sdk::op_kind_name(definition.node(index).op)) + " op" : description;
}

// What `op` reads from input `input` (a local source), one selection per use.
std::vector<LocalSelection> local_selections(const sdk::Op& op, sdk::OpIndex input) {
  std::vector<LocalSelection> selections;
  if (const auto* exec = std::get_if<sdk::ExecOp>(&op)) {
    if (exec->root == input) selections.push_back({});
    for (const auto& mount : exec->mounts)
      if (mount.source == input) selections.push_back({.path = mount.selector});
  } else if (const auto* file = std::get_if<sdk::FileOp>(&op)) {
    if (file->base == input) selections.push_back({});
    for (const auto& action : file->actions) {
      const auto* copy = std::get_if<sdk::CopyAction>(&action);
      if (!copy || copy->source != input) continue;
      selections.push_back({.path = copy->src,
                            .wildcard = copy->allow_wildcard,
                            .follow_symlinks = copy->follow_symlinks,
                            .include_patterns = copy->include_patterns,
                            .exclude_patterns = copy->exclude_patterns});
    }
  } else {
    selections.push_back({});  // merge/diff take the whole tree
  }
  return selections;
}

// The key of a local input as `op` reads it, and (into `local`) what each selection covered.
sdk::Result<std::string> local_input_key(Worker& worker, const VertexResult& local, const sdk::Op& op,
                                         sdk::OpIndex input, const std::string& source_key, nlohmann::json& record) {
  std::string combined = source_key;
  for (const auto& selection : local_selections(op, input)) {
    auto checksum = worker.local_checksum(local, selection);
    if (!checksum && checksum.status().code() != sdk::Code::NotFound) return checksum.status();
    const std::string digest = checksum ? checksum->digest : "missing";
    combined += "\n" + selection.path + "=" + digest;
    nlohmann::json entry = {{"path", selection.path}, {"checksum", digest}};
    if (checksum) {
      nlohmann::json files = nlohmann::json::object();
      for (const auto& [path, summary] : checksum->files) files[path] = summary;
      entry["files"] = std::move(files);
      entry["file_count"] = checksum->file_count;
    }
    record.push_back(std::move(entry));
  }
  return oci::sha256_of(combined).str();
}

}  // namespace

std::vector<std::string> op_digests(const sdk::Definition& definition) {
  std::vector<std::string> digests(definition.size());
  for (sdk::OpIndex index = 0; index < definition.size(); ++index) {
    auto canonical = sdk::canonical_op_json(definition.node(index).op, [&](sdk::OpIndex input) { return digests[input]; });
    digests[index] = oci::sha256_of(canonical).str();
  }
  return digests;
}

sdk::Result<Plan> make_plan(const sdk::Definition& definition, Worker& worker, bool no_cache) {
  const auto count = definition.size();
  Plan plan;
  plan.digests = op_digests(definition);
  plan.representative.resize(count);
  std::map<std::string, sdk::OpIndex> first_with;
  for (sdk::OpIndex index = 0; index < count; ++index)
    plan.representative[index] = first_with.emplace(plan.digests[index], index).first->second;
  plan.inputs.resize(count);
  for (sdk::OpIndex index = 0; index < count; ++index)
    for (auto input : sdk::op_inputs(definition.node(index).op)) plan.inputs[index].push_back(plan.representative[input]);

  plan.needed.assign(count, false);
  if (definition.output) {
    std::vector<sdk::OpIndex> pending = {plan.representative[*definition.output]};
    while (!pending.empty()) {
      auto index = pending.back();
      pending.pop_back();
      if (plan.needed[index]) continue;
      plan.needed[index] = true;
      for (auto input : plan.inputs[index]) pending.push_back(input);
    }
  }

  plan.cache_keys.assign(count, {});
  plan.forced.assign(count, false);
  plan.local_results.assign(count, std::nullopt);
  plan.key_inputs.assign(count, {});
  plan.input_keys.assign(count, {});
  for (sdk::OpIndex index = 0; index < count; ++index) {
    if (!plan.needed[index]) continue;
    const auto& node = definition.node(index);
    const auto context = step_name(definition, index);
    bool forced = no_cache || node.metadata.ignore_cache;
    std::string identity;
    if (const auto* source = std::get_if<sdk::SourceOp>(&node.op)) {
      auto resolved = worker.source_identity(*source);
      if (!resolved) return resolved.status().with_context(context);
      identity = *resolved;
      if (source->kind == sdk::SourceKind::Local) {
        sdk::NullProgressSink quiet;
        auto local = worker.source(*source, VertexContext{plan.digests[index], context, quiet, {}});
        if (!local) return local.status().with_context(context);
        plan.local_results[index] = *local;
      }
    }
    std::string failure;
    nlohmann::json inputs = nlohmann::json::array();
    nlohmann::json locals = nlohmann::json::array();
    auto canonical = sdk::canonical_op_json(node.op, [&](sdk::OpIndex raw_input) -> std::string {
      auto input = plan.representative[raw_input];
      forced = forced || plan.forced[input];
      std::string key = plan.cache_keys[input];
      if (plan.local_results[input]) {
        auto local_key = local_input_key(worker, *plan.local_results[input], node.op, raw_input, key, locals);
        if (!local_key) failure = local_key.status().message();
        key = local_key ? *local_key : std::string();
      }
      inputs.push_back({{"digest", plan.digests[input]}, {"key", key}});
      plan.input_keys[index].push_back(key);
      return key;
    });
    if (!failure.empty()) return sdk::Status::unavailable(failure).with_context(context);
    plan.forced[index] = forced;
    plan.cache_keys[index] = oci::sha256_of(std::string(kCacheKeyVersion) + "\n" + canonical + "\n" + identity).str();
    nlohmann::json key_inputs = {
        {"op", nlohmann::json::parse(sdk::canonical_op_json(node.op, [&](sdk::OpIndex raw) {
                                       return plan.digests[plan.representative[raw]];
                                     }),
                                     nullptr, false)},
        {"inputs", std::move(inputs)}};
    if (!identity.empty()) key_inputs["identity"] = identity;
    if (!locals.empty()) key_inputs["local"] = std::move(locals);
    plan.key_inputs[index] = key_inputs.dump();
  }
  return plan;
}

}  // namespace dbuild::solver
