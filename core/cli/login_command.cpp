// login_command.cpp: `dbuild login [SERVER]` and `dbuild logout [SERVER]`: credentials checked
// against the registry, then kept where `docker login` keeps them (config.json's auths, or the
// configured credential helper), so that dbuild and docker share logins.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <ostream>
#include <string>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/registry_access.hpp"
#include "registry/docker_config.hpp"
#include "registry/registry_client.hpp"

namespace dbuild::cli {
namespace {

std::string trim_line_end(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// Reads one line from the terminal with echo off, for the password prompt.
std::string read_secret_line() {
  termios saved{};
  bool restore = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (restore) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  return trim_line_end(line);
}

// "https://index.docker.io/v1/" for Docker Hub, the host otherwise: what docker prints.
std::string shown_name(const std::string& registry) { return registry::auth_key(registry); }

struct LoginInput {
  registry::Credentials credentials;
  std::optional<int> exit;  // set when the command must stop
};

LoginInput read_credentials(App& app, const po::variables_map& values, const std::string& path,
                            const std::string& server) {
  LoginInput input;
  auto& credentials = input.credentials;
  if (values.count("username")) credentials.username = values["username"].as<std::string>();
  const bool from_stdin = values["password-stdin"].as<bool>();
  if (values.count("password")) {
    if (from_stdin) return {{}, usage_error(app, path, "--password and --password-stdin are mutually exclusive")};
    app.err() << "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n";
    credentials.password = values["password"].as<std::string>();
  }
  if (from_stdin) {
    if (credentials.username.empty())
      return {{}, usage_error(app, path, "Must provide --username with --password-stdin")};
    credentials.password = trim_line_end(std::string(std::istreambuf_iterator<char>(std::cin), {}));
  }
  if (!credentials.username.empty() && !credentials.password.empty()) return input;
  if (!::isatty(STDIN_FILENO)) {
    app.err() << "error: Cannot perform an interactive login from a non TTY device\n";
    return {{}, kExitFailure};
  }
  if (credentials.username.empty()) {
    app.out() << fmt::format("Username ({}): ", server) << std::flush;
    std::getline(std::cin, credentials.username);
    credentials.username = trim_line_end(credentials.username);
  }
  if (credentials.password.empty()) {
    app.out() << "Password: " << std::flush;
    credentials.password = read_secret_line();
    app.out() << "\n";
  }
  if (credentials.username.empty() || credentials.password.empty()) {
    app.err() << "error: Error: Non-null Username and Password Required\n";
    input.exit = kExitFailure;
  }
  return input;
}

int run_login(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(
      path, "[OPTIONS] [SERVER]",
      "Log in to a registry. If no server is given, the default is Docker Hub.\n"
      "Credentials go to Docker's config.json ($DOCKER_CONFIG or ~/.docker), or to its credential helper.");
  parser.add_options()("username,u", po::value<std::string>(), "username")(
      "password,p", po::value<std::string>(), "password (prefer --password-stdin)")("password-stdin", po::bool_switch(),
                                                                                    "take the password from stdin");
  parser.positional("server", 1, 0);
  if (auto exit = parser.parse(app, args)) return *exit;
  auto positionals = parser.positionals();
  auto server = registry::normalize_registry(positionals.empty() ? "" : positionals[0]);
  auto input = read_credentials(app, parser.values(), path, server);
  if (input.exit) return *input.exit;

  auto hosts = registry::load_host_rules();
  if (!hosts) return report_error(app, hosts.status());
  registry::RegistryClient client(client_options(app, std::move(*hosts)));
  if (auto status = client.check_login(server, input.credentials); !status) return report_error(app, status);

  registry::DockerConfig config(registry::docker_config_file());
  auto stored = config.store(server, input.credentials);
  if (!stored) return report_error(app, stored.status().with_context("saving the credentials"));
  if (*stored == registry::StoredIn::ConfigFile)
    app.err() << fmt::format(
        "WARNING! Your password will be stored unencrypted in {}.\n"
        "Configure a credential helper to remove this warning. See\n"
        "https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n",
        config.file().string());
  app.out() << "Login Succeeded\n";
  return kExitOk;
}

int run_logout(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[SERVER]", "Log out from a registry. If no server is given, the default is Docker Hub.");
  parser.positional("server", 1, 0);
  if (auto exit = parser.parse(app, args)) return *exit;
  auto positionals = parser.positionals();
  auto server = registry::normalize_registry(positionals.empty() ? "" : positionals[0]);
  registry::DockerConfig config(registry::docker_config_file());
  auto removed = config.erase(server);
  if (!removed) return report_error(app, removed.status().with_context("removing the credentials"));
  if (!*removed) {
    app.out() << fmt::format("Not logged in to {}\n", shown_name(server));
    return kExitOk;
  }
  app.out() << fmt::format("Removing login credentials for {}\n", shown_name(server));
  return kExitOk;
}

}  // namespace

Command login_command() { return {"login", "Log in to a registry", run_login, {}}; }
Command logout_command() { return {"logout", "Log out from a registry", run_logout, {}}; }

}  // namespace dbuild::cli
