// build_args.cpp: the build args BuildKit predefines: the platform args, the proxy args (which
// reach RUN as its proxy environment, not as ARGs) and SOURCE_DATE_EPOCH.
#include <algorithm>

#include "convert/converter_impl.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {

std::map<std::string, std::string> platform_args(const sdk::Platform& build, const sdk::Platform& target) {
  return {{"BUILDPLATFORM", build.str()},   {"BUILDOS", build.os},         {"BUILDARCH", build.architecture},
          {"BUILDVARIANT", build.variant},  {"TARGETPLATFORM", target.str()}, {"TARGETOS", target.os},
          {"TARGETARCH", target.architecture}, {"TARGETVARIANT", target.variant}};
}

std::optional<ProxyEnv> proxy_env_from_build_args(const std::map<std::string, std::string>& build_args) {
  ProxyEnv proxy;
  bool any = false;
  // The map iterates in byte order, as BuildKit sorts the keys: "HTTP_PROXY" before "http_proxy".
  for (const auto& [key, value] : build_args) {
    for (auto [name, field] : {std::pair{"http_proxy", &proxy.http_proxy}, std::pair{"https_proxy", &proxy.https_proxy},
                               std::pair{"ftp_proxy", &proxy.ftp_proxy}, std::pair{"no_proxy", &proxy.no_proxy},
                               std::pair{"all_proxy", &proxy.all_proxy}}) {
      if (!parser_text::equal_fold(key, name)) continue;
      *field = value;
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return proxy;
}

std::vector<std::string> proxy_env_list(const ProxyEnv& proxy) {
  std::vector<std::string> out;
  for (auto [name, value] : {std::pair{"HTTP_PROXY", &proxy.http_proxy}, std::pair{"HTTPS_PROXY", &proxy.https_proxy},
                             std::pair{"FTP_PROXY", &proxy.ftp_proxy}, std::pair{"NO_PROXY", &proxy.no_proxy},
                             std::pair{"ALL_PROXY", &proxy.all_proxy}}) {
    if (value->empty()) continue;
    out.push_back(std::string(name) + "=" + *value);
    out.push_back(parser_text::to_lower(name) + "=" + *value);
  }
  return out;
}

sdk::Result<std::optional<std::int64_t>> resolve_source_date_epoch(std::string_view value,
                                                                   const std::vector<Stage>& stages) {
  if (value.empty() || value == "context") return std::optional<std::int64_t>{};
  if (auto seconds = parser_text::parse_int(value, 10, 64)) return std::optional<std::int64_t>{*seconds};
  const std::string wanted = parser_text::to_lower(value);
  const bool is_stage = std::any_of(stages.begin(), stages.end(), [&](const Stage& stage) { return stage.name == wanted; });
  if (is_stage)
    return sdk::Status::unimplemented("SOURCE_DATE_EPOCH from the source of stage \"" + std::string(value) +
                                      "\" is not supported yet");
  return sdk::Status::invalid_argument("invalid SOURCE_DATE_EPOCH: " + std::string(value));
}

std::string format_source_date_epoch(std::optional<std::int64_t> epoch) {
  return epoch ? std::to_string(*epoch) : std::string();
}

}  // namespace dbuild::dockerfile
