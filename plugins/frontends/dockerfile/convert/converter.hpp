// converter.hpp: a parsed Dockerfile turned into a Definition and the image config, as
// BuildKit's dockerfile2llb does: global and stage ARG scoping, build args, the platform args,
// stages by name or index, only what the target needs, every instruction's word expansion,
// ONBUILD triggers of base images, and BuildKit's step names ("[build 2/4] RUN make").
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <dbuild/sdk/definition.hpp>
#include <dbuild/sdk/frontend.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/status.hpp>

#include "instructions/instructions.hpp"
#include "parser/ast.hpp"

namespace dbuild::dockerfile {

struct ConvertOptions {
  std::string dockerfile_name = "Dockerfile";  // for locations in errors and step metadata
  char escape = '\\';
  std::string target;                          // stage name; empty: the last stage
  std::map<std::string, std::string> build_args;
  std::map<std::string, std::string> labels;   // --label, added to the final image
  bool no_cache_all = false;
  std::set<std::string> no_cache_stages;       // --no-cache-filter, lower-cased
  std::string force_network;                   // --network: none | host | "" (as the Dockerfile says)
  sdk::Platform build_platform;
  sdk::Platform target_platform;
  /// --build-context NAME=VALUE: "local:NAME" (a directory the client sent), "docker-image://REF",
  /// "oci-layout://PATH[:TAG]", or a stage's name.
  std::map<std::string, std::string> named_contexts;
};

struct ConvertResult {
  sdk::Definition definition;
  std::string image_config;  // JSON, without rootfs
  std::vector<Warning> warnings;
};

/// Converts `dockerfile` (parsed from a file with `escape`). `context` resolves base images.
/// Errors: invalid_argument with the Dockerfile location (bad expansions, unknown stages,
/// circular stages, bad flag values), not_found (an image), unimplemented (a feature not built
/// yet: ADD of a URL or git repository, RUN --mount=type=ssh).
[[nodiscard]] sdk::Result<ConvertResult> convert(const Dockerfile& dockerfile, const ConvertOptions& options,
                                                 sdk::FrontendContext& context);

}  // namespace dbuild::dockerfile
