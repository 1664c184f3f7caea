// dockerfile_workspace.cpp: the Dockerfile build test helpers.
#include "dockerfile_workspace.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "support/skip.hpp"

namespace dbuild::test {

namespace fs = std::filesystem;
using nlohmann::json;

ProcessResult build_dockerfile(const Workspace& workspace, DockerfileBuild build) {
  TempDir data_home;
  ProcessOptions options;
  options.environment = {{"DBUILD_PLUGIN_PATH", std::nullopt}, {"XDG_DATA_HOME", data_home.path().string()}};
  for (auto& [name, value] : build.environment) options.environment[name] = std::move(value);
  options.input = std::move(build.input);
  std::vector<std::string> argv = {dbuild_binary().string(), "--root",
                                   workspace.root.string(),  "build",
                                   "--build-context",        "busybox=oci-layout://" + workspace.base.reference()};
  if (std::find(build.args.begin(), build.args.end(), "--progress") == build.args.end())
    argv.insert(argv.end(), {"--progress", "plain"});
  argv.insert(argv.end(), build.args.begin(), build.args.end());
  return run_process(argv, options);
}

fs::path write_dockerfile(const fs::path& dir, const std::string& text, const std::string& name) {
  write_file(dir / name, text);
  return dir / name;
}

json image_config(Workspace& workspace, const std::string& tag) {
  auto inspected = workspace.dbuild({"images", "inspect", tag});
  INFO(inspected.err);
  REQUIRE(inspected.exit_code == 0);
  return json::parse(inspected.out)["config"];
}

bool any_contains(const std::set<std::string>& names, std::string_view text) {
  return std::any_of(names.begin(), names.end(),
                     [&](const auto& name) { return name.find(text) != std::string::npos; });
}

std::set<std::string> started_steps(const std::string& stderr_text) {
  auto names = names_with(events_of(stderr_text), "started");
  std::erase_if(names, [](const std::string& name) { return name.rfind("[internal] load metadata for ", 0) == 0; });
  return names;
}
std::set<std::string> cached_steps(const std::string& stderr_text) {
  return names_with(events_of(stderr_text), "cached");
}

namespace {

// A port nobody listens on now; the server binds it right after (a small, harmless race).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  REQUIRE(bound);
  return ntohs(address.sin_port);
}

}  // namespace

HttpServer::HttpServer(const fs::path& dir) {
  if (run_process({"python3", "--version"}).exit_code != 0) skip_test("needs python3 for its http.server");
  port_ = free_port();
  process_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{
      "python3", "-u", "-m", "http.server", std::to_string(port_), "--bind", "127.0.0.1", "--directory", dir.string()});
  REQUIRE(process_->wait_for_output("Serving HTTP", 30));
}

std::string HttpServer::url(const std::string& name) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + name;
}

}  // namespace dbuild::test
