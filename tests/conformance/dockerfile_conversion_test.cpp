// dockerfile_conversion_test.cpp: runs every case of conformance/dockerfile-instructions'
// conversion.json (with its helper tables) and error-source-lines.json against the Dockerfile
// converter, with a fake FrontendContext, and prints how many passed.
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "convert/converter.hpp"
#include "convert/image_config.hpp"
#include "dockerfile_frontend.hpp"
#include "instructions/go_duration.hpp"
#include "instructions/instructions.hpp"
#include "parser/parser.hpp"
#include "support/fake_frontend_context.hpp"
#include "support/conformance.hpp"
#include "support/conformance_report.hpp"
#include "support/skip.hpp"
#include "dbuild/sdk/time.hpp"

namespace {

namespace fs = std::filesystem;
namespace df = dbuild::dockerfile;
namespace sdk = dbuild::sdk;
using dbuild::test::FakeFrontendContext;
using nlohmann::json;

const sdk::Platform kPlatform{.os = "linux", .architecture = "amd64"};

fs::path corpus_dir() { return dbuild::test::conformance_corpus(DBUILD_CONFORMANCE_DIR, "dockerfile-instructions"); }

json load_json(const fs::path& path) { return json::parse(dbuild::test::read_bytes(path)); }

using dbuild::test::Report;
using dbuild::test::Tally;

// The images the cases name: BuildKit's tests pull them; here they resolve to a small config.
void add_known_images(FakeFrontendContext& context) {
  for (const char* name : {"alpine", "busybox"}) context.add_image(name, FakeFrontendContext::small_config(kPlatform));
}

struct Conversion {
  sdk::Result<df::Dockerfile> dockerfile = sdk::Status::internal("not parsed");
  sdk::Result<df::ConvertResult> result = sdk::Status::internal("not converted");
};

// What the frontend does before converting: parse, typed instructions, then convert.
Conversion convert_text(const std::string& text, df::ConvertOptions options, FakeFrontendContext& context) {
  Conversion out;
  auto parsed = df::parse(text);
  if (!parsed) {
    out.dockerfile = parsed.status();
    out.result = parsed.status();
    return out;
  }
  out.dockerfile = df::parse_dockerfile(parsed->root);
  if (!out.dockerfile) {
    out.result = out.dockerfile.status();
    return out;
  }
  options.escape = parsed->directives.escape;
  options.build_platform = options.target_platform = kPlatform;
  out.result = df::convert(*out.dockerfile, options, context);
  return out;
}

template <class T>
const T* op_as(const sdk::Definition& definition, std::optional<sdk::OpIndex> index) {
  return index ? std::get_if<T>(&definition.node(*index).op) : nullptr;
}

// The ops made for the instruction starting at `line`.
std::vector<const sdk::DefinitionNode*> ops_at(const sdk::Definition& definition, int line) {
  std::vector<const sdk::DefinitionNode*> out;
  for (const auto& node : definition.nodes())
    if (node.metadata.location && node.metadata.location->line == line) out.push_back(&node);
  return out;
}

// The target's graph holds nothing from the stages after it (they can never feed it), and its
// result is an op of the target stage or of no stage at all (scratch).
std::string check_target(const df::Dockerfile& dockerfile, const sdk::Definition& definition, const std::string& target) {
  std::string wanted = target;
  for (auto& c : wanted) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t index = 0;
  while (index < dockerfile.stages.size() && dockerfile.stages[index].name != wanted) ++index;
  if (index == dockerfile.stages.size()) return "no stage is named " + target;
  const int first = dockerfile.stages[index].location.start_line;
  const int after = index + 1 < dockerfile.stages.size() ? dockerfile.stages[index + 1].location.start_line : 1 << 30;
  for (const auto& node : definition.nodes())
    if (node.metadata.location && node.metadata.location->line >= after)
      return "the graph holds \"" + node.metadata.description + "\" from a later stage";
  const auto& output = definition.node(*definition.output).metadata.location;
  if (output && (output->line < first || output->line >= after)) return "the result is not the target stage's";
  return "";
}

// Every COPY --from reads another stage's result, never the build context.
std::string check_copy_from(const df::Dockerfile& dockerfile, const sdk::Definition& definition) {
  for (const auto& stage : dockerfile.stages) {
    for (const auto& command : stage.commands) {
      const auto* copy = std::get_if<df::CopyCommand>(&command);
      if (!copy || copy->from.empty()) continue;
      for (const auto* node : ops_at(definition, copy->location.start_line)) {
        const auto* file = std::get_if<sdk::FileOp>(&node->op);
        for (const auto& action : file ? file->actions : std::vector<sdk::FileAction>{}) {
          const auto* copied = std::get_if<sdk::CopyAction>(&action);
          const auto* source = copied ? op_as<sdk::SourceOp>(definition, copied->source) : nullptr;
          if (source && source->kind == sdk::SourceKind::Local) return copy->original + " reads the build context";
        }
      }
    }
  }
  return "";
}

// Every URL an ADD names becomes an http source that the ADD copies from.
std::string check_add_urls(const df::Dockerfile& dockerfile, const sdk::Definition& definition) {
  for (const auto& stage : dockerfile.stages) {
    for (const auto& command : stage.commands) {
      const auto* add = std::get_if<df::AddCommand>(&command);
      if (!add) continue;
      for (const auto& url : add->paths.sources) {
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) continue;
        bool found = false;
        for (const auto* node : ops_at(definition, add->location.start_line)) {
          const auto* file = std::get_if<sdk::FileOp>(&node->op);
          for (const auto& action : file ? file->actions : std::vector<sdk::FileAction>{}) {
            const auto* copied = std::get_if<sdk::CopyAction>(&action);
            const auto* source = copied ? op_as<sdk::SourceOp>(definition, copied->source) : nullptr;
            found = found || (source && source->kind == sdk::SourceKind::Http && source->identifier == url);
          }
        }
        if (!found) return "no http source copied for " + url;
      }
    }
  }
  return "";
}

std::string check_success(const json& c, const Conversion& conversion) {
  const auto& definition = conversion.result->definition;
  if (!definition.output) return "the Definition has no output";
  std::string why;
  if (c.contains("target")) why = check_target(*conversion.dockerfile, definition, c["target"].get<std::string>());
  if (why.empty()) why = check_copy_from(*conversion.dockerfile, definition);
  if (why.empty()) why = check_add_urls(*conversion.dockerfile, definition);
  if (!why.empty() || !c.contains("expect_image_labels")) return why;
  const auto config = json::parse(conversion.result->image_config);
  const json labels = config["config"].value("Labels", json::object());
  if (labels != c["expect_image_labels"]) return "image labels are " + labels.dump();
  return "";
}

std::string conversion_case(const json& c) {
  FakeFrontendContext context;
  add_known_images(context);
  df::ConvertOptions options;
  options.target = c.value("target", "");
  const auto conversion = convert_text(c["dockerfile"].get<std::string>(), options, context);
  if (c["expect_success"].get<bool>())
    return conversion.result ? check_success(c, conversion) : "failed: " + conversion.result.status().to_string();
  if (conversion.result) return "converted, but BuildKit fails";
  if (!c.contains("expect_error")) return "";
  const std::string got = conversion.result.status().to_string();
  const std::string want = c["expect_error"].get<std::string>();
  const bool ok = c.value("match", "") == "exact" ? got == want : got.find(want) != std::string::npos;
  return ok ? "" : "error \"" + got + "\"";
}

void run_conversion_cases(const json& data, Tally& tally) {
  for (const auto& c : data["cases"]) tally.record(c.dump(), conversion_case(c));
}

std::vector<std::string> strings_of(const json& list) {
  std::vector<std::string> out;
  for (const json& item : list) out.push_back(item.get<std::string>());
  return out;
}

void run_add_env(const json& data, Tally& tally) {
  for (const auto& c : data["cases"]) {
    auto env = strings_of(c["env"]);
    df::add_env(env, c["key"].get<std::string>(), c["value"].get<std::string>());
    tally.record(c.dump(), env == strings_of(c["expected"]) ? "" : "got " + json(env).dump());
  }
}

void run_parse_key_value(const json& data, Tally& tally) {
  for (const auto& c : data["cases"]) {
    const auto [key, value] = df::parse_key_value(c["input"].get<std::string>());
    tally.record(c.dump(), key == c["key"] && value == c["value"] ? "" : "got " + key + ", " + value);
  }
}

// The fields of BuildKit's llb.ProxyEnv that are set, by their Go names, as the data writes them.
json proxy_fields(const df::ProxyEnv& proxy) {
  json out = json::object();
  for (auto [name, value] : {std::pair{"HTTPProxy", &proxy.http_proxy}, std::pair{"HTTPSProxy", &proxy.https_proxy},
                             std::pair{"FTPProxy", &proxy.ftp_proxy}, std::pair{"NoProxy", &proxy.no_proxy},
                             std::pair{"AllProxy", &proxy.all_proxy}})
    if (!value->empty()) out[name] = *value;
  return out;
}

// RUN's proxy variables: each expected setting under both spellings, and nothing else.
std::string check_run_proxy_env(const std::map<std::string, std::string>& build_args, const json& expected) {
  FakeFrontendContext context;
  df::ConvertOptions options;
  options.build_args = build_args;
  const auto conversion = convert_text("FROM scratch\nRUN env\n", options, context);
  if (!conversion.result) return "RUN failed to convert: " + conversion.result.status().to_string();
  const auto& definition = conversion.result->definition;
  const auto* exec = op_as<sdk::ExecOp>(definition, definition.output);
  if (!exec) return "no RUN op";
  std::vector<std::string> want, got;
  const std::map<std::string, std::string> names = {{"HTTPProxy", "HTTP_PROXY"}, {"HTTPSProxy", "HTTPS_PROXY"},
                                                    {"FTPProxy", "FTP_PROXY"},   {"NoProxy", "NO_PROXY"},
                                                    {"AllProxy", "ALL_PROXY"}};
  const json fields = expected.is_null() ? json::object() : expected;
  for (const auto& [field, value] : fields.items()) {
    std::string lower = names.at(field);
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    want.push_back(names.at(field) + "=" + value.get<std::string>());
    want.push_back(lower + "=" + value.get<std::string>());
  }
  for (const auto& entry : exec->env)
    if (entry.find("_PROXY=") != std::string::npos || entry.find("_proxy=") != std::string::npos) got.push_back(entry);
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  return want == got ? "" : "RUN's proxy env is " + json(got).dump();
}

void run_proxy_env(const json& data, Tally& tally) {
  for (const auto& c : data["cases"]) {
    const auto build_args = c["build_args"].get<std::map<std::string, std::string>>();
    const auto proxy = df::proxy_env_from_build_args(build_args);
    const json got = proxy ? proxy_fields(*proxy) : json();
    std::string why = got == c["expected"] ? "" : "got " + got.dump();
    if (why.empty()) why = check_run_proxy_env(build_args, c["expected"]);
    tally.record(c.dump(), why);
  }
}

std::string healthcheck_case(const json& data) {
  const json& h = data["health"];
  df::HealthConfig health;
  health.test = strings_of(h["Test"]);
  for (auto [name, field] : {std::pair{"Interval", &health.interval_ns}, std::pair{"Timeout", &health.timeout_ns},
                             std::pair{"StartPeriod", &health.start_period_ns},
                             std::pair{"StartInterval", &health.start_interval_ns}}) {
    auto nanoseconds = df::parse_go_duration(h[name].get<std::string>());
    if (!nanoseconds) return nanoseconds.status().to_string();
    *field = *nanoseconds;
  }
  health.retries = h["Retries"].get<int>();
  const std::string got = df::healthcheck_history(health);
  return got == data["expected_created_by"] ? "" : "got " + got;
}

// The value resolved alone, then as the build arg of a whole conversion (the image's time).
std::string epoch_case(const json& c) {
  const std::string value = c["value"].get<std::string>();
  const auto epoch = df::resolve_source_date_epoch(value, {});
  FakeFrontendContext context;
  df::ConvertOptions options;
  options.build_args["SOURCE_DATE_EPOCH"] = value;
  const auto conversion = convert_text("FROM scratch\nENV A=b\n", options, context);
  if (c.contains("expect_error_contains")) {
    const std::string want = c["expect_error_contains"].get<std::string>();
    if (epoch || epoch.status().message().find(want) == std::string::npos) return "resolved without the error";
    if (conversion.result || conversion.result.status().message().find(want) == std::string::npos)
      return "the conversion did not fail with it";
    return "";
  }
  if (!epoch) return epoch.status().to_string();
  const json got = *epoch ? json(**epoch) : json();
  if (got != c["expected_unix"]) return "resolved to " + got.dump();
  if (df::format_source_date_epoch(*epoch) != c["expected_format"]) return "formats differently";
  if (!conversion.result) return "the conversion failed: " + conversion.result.status().to_string();
  const auto created = json::parse(conversion.result->image_config).value("created", "");
  if (*epoch && created != sdk::format_rfc3339(**epoch)) return "the image was created at " + created;
  return "";
}

void run_conversion_helpers(const json& helpers, Report& report) {
  run_add_env(helpers["add_env"], report.group("conversion.json add_env"));
  run_parse_key_value(helpers["parse_key_value"], report.group("conversion.json parse_key_value"));
  run_proxy_env(helpers["proxy_env_from_build_args"], report.group("conversion.json proxy_env_from_build_args"));
  report.group("conversion.json healthcheck_history")
      .record(helpers["healthcheck_history"].dump(), healthcheck_case(helpers["healthcheck_history"]));
  auto& epochs = report.group("conversion.json source_date_epoch");
  for (const auto& c : helpers["source_date_epoch"]["cases"]) epochs.record(c.dump(), epoch_case(c));
}

std::vector<int> lines_of(const sdk::SourceLocation& location) {
  std::vector<int> out;
  for (int line = location.line; line <= std::max(location.line, location.end_line); ++line) out.push_back(line);
  return out;
}

// Built by the frontend, as dbuild builds it. A case that fails later, when an op runs, must
// give that op the lines (the real build of those: tests/integration/dockerfile_error_lines_test.cpp).
std::string error_lines_case(const json& c) {
  FakeFrontendContext context;
  add_known_images(context);
  context.add_file("dockerfile", "Dockerfile", c["dockerfile"].get<std::string>());
  df::DockerfileFrontend frontend;
  const auto result = frontend.build({.options = {}, .platforms = {kPlatform}}, context);
  const auto want = c["error_lines"].get<std::vector<int>>();
  std::optional<sdk::SourceLocation> location;
  if (!result) {
    location = result.status().location();
  } else {
    const auto& definition = result->results.at(0).definition;
    location = definition.node(*definition.output).metadata.location;
  }
  const std::string what = result ? "the result's op" : "the error \"" + result.status().to_string() + "\"";
  if (!location) return what + " has no location";
  if (location->file != "Dockerfile") return what + " is located in " + location->file;
  return lines_of(*location) == want ? "" : what + " is at lines " + json(lines_of(*location)).dump();
}

// dbuild builds with its own Dockerfile frontend whatever `# syntax=` names, and warns at the
// directive; BuildKit runs the image named there, so a name that does not resolve fails there.
bool names_frontend_image(const std::string& text) {
  const auto parsed = df::parse(text);
  if (!parsed) return false;
  const auto& syntax = parsed->directives.syntax;
  return !syntax.empty() && syntax.rfind("docker/dockerfile", 0) != 0 && syntax.rfind("docker.io/docker/dockerfile", 0) != 0;
}

std::string syntax_departure(const json& c) {
  FakeFrontendContext context;
  add_known_images(context);
  context.add_file("dockerfile", "Dockerfile", c["dockerfile"].get<std::string>());
  df::DockerfileFrontend frontend;
  const auto result = frontend.build({.options = {}, .platforms = {kPlatform}}, context);
  if (!result) return "failed: " + result.status().to_string();
  const auto want = c["error_lines"].get<std::vector<int>>();
  for (const auto& warning : context.warnings())
    if (warning.location && lines_of(*warning.location) == want && warning.message.find("syntax") != std::string::npos)
      return "";
  return "no warning about # syntax= at those lines";
}

void run_error_source_lines(const json& data, Tally& tally) {
  for (const auto& c : data["cases"]) {
    const std::string name = c["name"].get<std::string>();
    if (names_frontend_image(c["dockerfile"].get<std::string>())) {
      tally.depart(name, "dbuild does not run frontend images; it warns at the # syntax= line", syntax_departure(c));
      continue;
    }
    tally.record(name, error_lines_case(c));
  }
}

}  // namespace

TEST_CASE("the Dockerfile converter passes BuildKit's conversion test data", "[conformance][dockerfile][convert]") {
  const fs::path dir = corpus_dir();
  Report report;
  const auto conversion = load_json(dir / "conversion.json");
  run_conversion_cases(conversion, report.group("conversion.json cases"));
  run_conversion_helpers(conversion["helpers"], report);
  run_error_source_lines(load_json(dir / "error-source-lines.json"), report.group("error-source-lines.json"));
  report.print("dockerfile conversion");
}
