// dockerfile_workspace.hpp: what the Dockerfile build tests share: running `dbuild build` on a
// Dockerfile in a Workspace (where `FROM busybox` names the workspace's busybox layout), reading
// images and progress events, and a throwaway HTTP server for ADD <url>.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "build_workspace.hpp"

namespace dbuild::test {

struct DockerfileBuild {
  std::vector<std::string> args;  // after `build`; `--progress plain` is added unless given
  std::string input;              // written to stdin
  std::map<std::string, std::optional<std::string>> environment;
};

/// Runs `dbuild --root ROOT build --build-context busybox=oci-layout://BASE ARGS`.
ProcessResult build_dockerfile(const Workspace& workspace, DockerfileBuild build);
/// Writes `text` as `dir`/Dockerfile (or the name given) and returns its path.
std::filesystem::path write_dockerfile(const std::filesystem::path& dir, const std::string& text,
                                       const std::string& name = "Dockerfile");
/// The stored image's config (`images inspect` -> "config"); fails the test when missing.
nlohmann::json image_config(Workspace& workspace, const std::string& tag);
/// True when one of `names` contains `text`: step names carry stage and step numbers.
bool any_contains(const std::set<std::string>& names, std::string_view text);
/// The names of the steps that started (not counting "[internal] load metadata", which every
/// build shows), and that were cached, in rawjson `stderr`.
std::set<std::string> started_steps(const std::string& stderr_text);
std::set<std::string> cached_steps(const std::string& stderr_text);

/// `python3 -m http.server` serving `dir` on 127.0.0.1 at a free port, stopped on destruction.
/// Skips the test when python3 is missing.
class HttpServer {
 public:
  explicit HttpServer(const std::filesystem::path& dir);
  [[nodiscard]] std::string url(const std::string& name) const;

 private:
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace dbuild::test
