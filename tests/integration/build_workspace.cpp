// build_workspace.cpp: the shared engine test workspace.
#include "build_workspace.hpp"

#include <fstream>
#include <sstream>

#include "support/skip.hpp"

namespace dbuild::test {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

Workspace::Workspace() {
  require_root();
  base = make_busybox_layout(dir.path() / "busybox");
  write_file(context / "a.txt", "alpha\n");
  write_file(context / "sub/c.txt", "gamma\n");
  write_file(context / "unrelated.txt", "noise\n");
}

ProcessResult Workspace::build(const json& definition, std::vector<std::string> extra,
                               std::map<std::string, std::optional<std::string>> environment) {
  write_file(context / "build.json", definition.dump(2));
  std::vector<std::string> args = {"--root", root.string(), "build", "--frontend", "definition", "--progress", "rawjson"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(context.string());
  return run_dbuild(args, std::move(environment));
}

ProcessResult Workspace::dbuild(std::vector<std::string> args) {
  args.insert(args.begin(), {"--root", root.string()});
  return run_dbuild(args);
}

json Workspace::base_op(const std::string& description) const {
  return op("base", "source", {{"kind", "oci-layout"}, {"identifier", base.reference()}}, description);
}

json op(const std::string& id, const std::string& kind, json body, const std::string& description) {
  json out = {{"id", id}, {kind, std::move(body)}};
  if (!description.empty()) out["description"] = description;
  return out;
}

std::vector<json> events_of(const std::string& text) {
  std::vector<json> events;
  for (const auto& line : lines_of(text)) {
    auto event = json::parse(line, nullptr, false);
    if (event.is_object()) events.push_back(event);
  }
  return events;
}

std::set<std::string> names_with(const std::vector<json>& events, const std::string& type) {
  std::set<std::string> names;
  for (const auto& event : events)
    if (event.value("type", "") == type) names.insert(event.value("name", ""));
  return names;
}

}  // namespace dbuild::test
