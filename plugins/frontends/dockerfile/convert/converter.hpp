// converter.hpp: a parsed Dockerfile turned into a Definition and the image config, as
// BuildKit's dockerfile2llb does: global and stage ARG scoping, build args, the platform args,
// stages by name or index, only what the target needs, every instruction's word expansion,
// ONBUILD triggers of base images, and BuildKit's step names ("[build 2/4] RUN make").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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

/// The proxy settings RUN gets from the predefined proxy build args (BuildKit's llb.ProxyEnv).
struct ProxyEnv {
  std::string http_proxy;
  std::string https_proxy;
  std::string ftp_proxy;
  std::string no_proxy;
  std::string all_proxy;
};

/// BuildKit's proxyEnvFromBuildArgs: build args named http_proxy, https_proxy, ftp_proxy,
/// no_proxy or all_proxy in any case; when several spellings are given, the one sorting last
/// (the lower-case one) wins. None when no proxy arg is given.
[[nodiscard]] std::optional<ProxyEnv> proxy_env_from_build_args(const std::map<std::string, std::string>& build_args);

/// The environment a RUN gets from `proxy`: each setting under both spellings (HTTP_PROXY and
/// http_proxy), as BuildKit's executor sets them.
[[nodiscard]] std::vector<std::string> proxy_env_list(const ProxyEnv& proxy);

/// SOURCE_DATE_EPOCH as BuildKit reads it: decimal Unix seconds; "" or "context" mean no fixed
/// time (nullopt; BuildKit without a client to read the context's metadata gives the same).
/// Errors: invalid_argument "invalid SOURCE_DATE_EPOCH: VALUE"; unimplemented for the name of a
/// stage in `stages` (BuildKit reads the time from that stage's remote ADD source).
[[nodiscard]] sdk::Result<std::optional<std::int64_t>> resolve_source_date_epoch(std::string_view value,
                                                                               const std::vector<Stage>& stages);
/// The value as the build arg then holds it: the decimal seconds, or "" for no fixed time.
[[nodiscard]] std::string format_source_date_epoch(std::optional<std::int64_t> epoch);

/// Converts `dockerfile` (parsed from a file with `escape`). `context` resolves base images.
/// Errors: invalid_argument with the Dockerfile location (bad expansions, unknown stages,
/// circular stages, bad flag values), not_found (an image, with the location of the FROM or
/// COPY --from naming it), unimplemented (a feature not built yet: ADD of a git repository,
/// RUN --mount=type=ssh).
[[nodiscard]] sdk::Result<ConvertResult> convert(const Dockerfile& dockerfile, const ConvertOptions& options,
                                                 sdk::FrontendContext& context);

}  // namespace dbuild::dockerfile
