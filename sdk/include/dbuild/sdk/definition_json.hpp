// definition_json.hpp: Definitions as JSON. Two forms:
// - the interchange form, what `dbuild build --frontend definition -f build.json` reads and what
//   tools may generate: {"version": 1, "ops": [{"id": "base", "source": {...}}, ...], "output": "base"};
//   ops refer to each other by id, in any order; unknown fields and cycles are errors;
// - the canonical form of one op, whose sha256 is the op's identity: sorted keys, no spaces,
//   default values left out, metadata left out, inputs replaced by their digests (or cache keys).
// The format is documented in share/doc/definition.md.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <dbuild/sdk/definition.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

/// Parses the interchange form. `origin` names the input in messages ("build.json").
/// Errors: invalid_argument, naming the op id and field: `build.json: op "run": exec: unknown
/// field "argz"`, `build.json: cycle: a -> b -> a`, `build.json: op "run": input "nope" is not defined`.
[[nodiscard]] Result<Definition> definition_from_json(std::string_view text, std::string_view origin);

/// Writes the interchange form; ops are named "op0", "op1", ... by index.
[[nodiscard]] std::string definition_to_json(const Definition& definition);

/// The canonical JSON of `op`; each input reference is written as `input_key(index)`.
[[nodiscard]] std::string canonical_op_json(const Op& op, const std::function<std::string(OpIndex)>& input_key);

}  // namespace dbuild::sdk
