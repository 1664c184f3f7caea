// build_workspace.hpp: what the engine integration tests share: a temporary busybox base image
// (an OCI layout made with GNU tar), a context directory, a state root of the test's own, and
// helpers to run `dbuild build --frontend definition` and read its rawjson progress.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dbuild_runner.hpp"
#include "support/oci_layout_builder.hpp"

namespace dbuild::test {

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& text);

struct Workspace {
  TempDir dir;
  std::filesystem::path root = dir.path() / "state";
  std::filesystem::path context = dir.path() / "context";
  LayoutImage base;

  /// Skips without root; makes the base image and a context with a.txt, sub/c.txt, unrelated.txt.
  Workspace();

  /// Writes `definition` as context/build.json and builds it (progress as rawjson on stderr).
  ProcessResult build(const nlohmann::json& definition, std::vector<std::string> extra = {},
                      std::map<std::string, std::optional<std::string>> environment = {});
  /// Runs dbuild --root <root> ARGS.
  ProcessResult dbuild(std::vector<std::string> args);
  /// The ops of a definition: the base image source op, with id "base".
  nlohmann::json base_op(const std::string& description = "[1/2] FROM busybox") const;
};

/// One op of the interchange form.
nlohmann::json op(const std::string& id, const std::string& kind, nlohmann::json body, const std::string& description = "");

/// The rawjson progress events in `text`.
std::vector<nlohmann::json> events_of(const std::string& text);
/// The names of the steps that had an event of `type`.
std::set<std::string> names_with(const std::vector<nlohmann::json>& events, const std::string& type);

}  // namespace dbuild::test
