// plan.hpp: the solver's view of a Definition before anything runs: each op's digest, the ops
// the output needs (identical ops folded into one), and each needed op's cache key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <dbuild/sdk/definition.hpp>
#include <dbuild/sdk/status.hpp>

#include "solver/worker.hpp"

namespace dbuild::solver {

struct Plan {
  std::vector<sdk::OpIndex> representative;  // op -> the first op with the same digest
  std::vector<std::string> digests;          // per op
  std::vector<std::string> cache_keys;       // per needed representative
  std::vector<bool> needed;                  // per representative: the output depends on it
  std::vector<bool> forced;                  // per needed op: must run (no-cache, or an input must)
  std::vector<std::optional<VertexResult>> local_results;  // needed Local sources, resolved
  std::vector<std::vector<sdk::OpIndex>> inputs;           // per op: op_inputs, as representatives
  std::vector<std::vector<std::string>> input_keys;        // per needed op: the key of each input as its key used it
  std::vector<std::string> key_inputs;  // per needed op: what its key was made of, JSON (history's "why")
};

/// Digests of every op: sha256 of its canonical JSON with inputs replaced by their digests.
[[nodiscard]] std::vector<std::string> op_digests(const sdk::Definition& definition);

/// Builds the plan. key_inputs holds, per needed op, {"op": its canonical JSON with inputs as
/// digests, "identity": a source's identity, "inputs": [{"digest", "key"}], "local": [{"path",
/// "checksum", "files": {path: "MODE DIGEST"}, "file_count"}]}. Cache keys: sha256 of a version tag, the op's canonical JSON with each input
/// replaced by that input's key, and for sources their identity (an image's manifest digest);
/// an input that is a local source is keyed by the checksum of exactly what this op reads of it.
/// Errors: from Worker::source_identity or local_checksum, with the step's name as context.
[[nodiscard]] sdk::Result<Plan> make_plan(const sdk::Definition& definition, Worker& worker, bool no_cache);

}  // namespace dbuild::solver
