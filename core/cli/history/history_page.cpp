// history_page.cpp: the builds as the report page's JSON, and the page (see history_page.hpp).
#include "cli/history/history_page.hpp"

#include <filesystem>
#include <fstream>

#include "cli/source_snippet.hpp"
#include "host/build_info.hpp"
#include "oci/sha256.hpp"

namespace dbuild::cli::history_cli {
namespace {

using json = nlohmann::json;

// Where the page's data goes: the whole content of its <script type="application/json">.
constexpr std::string_view kPlaceholder = "__DBUILD_REPORT_DATA__";
// The output of a failed step the page keeps: its last lines, at most this many bytes.
constexpr std::size_t kLogTailLines = 20;
constexpr std::size_t kLogTailBytes = 4096;

double ms_of(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string log_tail(const std::string& log) {
  std::size_t end = log.size();
  while (end > 0 && log[end - 1] == '\n') --end;
  std::size_t start = end;
  for (std::size_t lines = 0; start > 0 && lines < kLogTailLines; --start)
    if (log[start - 1] == '\n' && ++lines == kLogTailLines) break;
  if (end - start > kLogTailBytes) start = end - kLogTailBytes;
  return log.substr(start, end - start);
}

json page_step(const history::StepRecord& step, std::int64_t build_started) {
  json doc = {{"number", step.number}, {"name", step.name}, {"state", step.state}};
  doc["start_ms"] = step.started ? json(ms_of(step.started - build_started)) : json(nullptr);
  doc["end_ms"] = step.completed ? json(ms_of(step.completed - build_started)) : json(nullptr);
  if (step.exit_code) doc["exit_code"] = *step.exit_code;
  if (!step.error.empty()) doc["error"] = step.error;
  if (!step.source_file.empty())
    doc["source"] = step.source_file + (step.source_line ? ":" + std::to_string(step.source_line) : "");
  if (step.state == "failed" && !step.log.empty()) doc["log_tail"] = log_tail(step.log);
  if (step.log_dropped) doc["log_dropped"] = step.log_dropped;
  return doc;
}

// The most of a Dockerfile on disk error_snippet() reads.
constexpr std::size_t kMaxDockerfileBytes = 1 << 20;

// The Dockerfile lines at the error, from the text the build read (kept in the record), else
// from the file when it is still that text: lines of a changed file would point at the wrong text.
json error_snippet(const history::BuildRecord& build) {
  json lines = json::array();
  if (build.error_file.empty() || !build.error_line) return lines;
  std::string text = build.dockerfile_text;
  if (text.empty()) {
    // The record may come from an imported bundle: read only a regular file of modest size whose
    // digest the record holds, so a record naming /etc/passwd or /dev/zero yields no snippet.
    std::error_code error;
    if (build.dockerfile.empty() || build.dockerfile_digest.empty() ||
        !std::filesystem::is_regular_file(build.dockerfile, error))
      return lines;
    std::ifstream in(build.dockerfile, std::ios::binary);
    if (!in) return lines;
    text.resize(kMaxDockerfileBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxDockerfileBytes || oci::sha256_of(text).str() != build.dockerfile_digest) return lines;
  }
  const sdk::SourceLocation location{build.error_file, build.error_line, build.error_line};
  for (const auto& line : source_lines(text, location))
    lines.push_back({{"number", line.number}, {"text", line.text}, {"marked", line.marked}});
  return lines;
}

}  // namespace

json page_build(const history::BuildRecord& build, const std::vector<history::StepRecord>& steps) {
  json doc = {{"ref", build.ref},
              {"name", build.name},
              {"status", build.status},
              {"started_ms", ms_of(build.started)},
              {"duration_ms", build.completed ? json(ms_of(build.completed - build.started)) : json(nullptr)},
              {"total_steps", build.total_steps},
              {"cached_steps", build.cached_steps},
              {"frontend", build.frontend},
              {"context", build.context},
              {"dockerfile", build.dockerfile},
              {"target", build.target},
              {"platforms", build.platforms},
              {"build_args", build.build_args},
              {"warnings", build.warnings},
              {"error", nullptr}};
  if (!build.git_url.empty() || !build.git_commit.empty())
    doc["git"] = build.git_url + (build.git_commit.empty() ? "" : " @ " + build.git_commit);
  if (!build.error.empty()) {
    doc["error"] = {{"message", build.error}, {"snippet", error_snippet(build)}};
    if (!build.error_file.empty())
      doc["error"]["location"] =
          build.error_file + (build.error_line ? ":" + std::to_string(build.error_line) : "");
  }
  doc["steps"] = json::array();
  for (const auto& step : steps) doc["steps"].push_back(page_step(step, build.started));
  return doc;
}

std::string script_json(const json& data) {
  const std::string text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // Outside strings JSON has none of these characters, so escaping them everywhere is safe.
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '\xe2' && i + 2 < text.size() && text[i + 1] == '\x80' && (text[i + 2] == '\xa8' || text[i + 2] == '\xa9')) {
      out += text[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";  // line separators end a JS line
      i += 2;
    } else out += c;
  }
  return out;
}

sdk::Result<std::string> render_page(const PageData& data, std::string_view page_template) {
  const auto at = page_template.find(kPlaceholder);
  if (at == std::string_view::npos || page_template.find(kPlaceholder, at + 1) != std::string_view::npos)
    return sdk::Status::internal("the report template does not hold exactly one data placeholder");
  json doc = {{"kind", data.kind},
              {"generated_ms", ms_of(data.generated_ns)},
              {"version", std::string(host::build_info().version)},
              {"builds", data.builds}};
  if (data.kind == "report") {
    doc["since"] = data.since;
    doc["since_ms"] = ms_of(data.since_ns);
  }
  std::string page;
  page.reserve(page_template.size() + 4096);
  page.append(page_template.substr(0, at));
  page.append(script_json(doc));
  page.append(page_template.substr(at + kPlaceholder.size()));
  return page;
}

}  // namespace dbuild::cli::history_cli
