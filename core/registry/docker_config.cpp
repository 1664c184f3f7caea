// docker_config.cpp: reading and writing Docker's config.json credentials, and talking to
// credential helpers with their stdin/stdout JSON protocol.
#include "registry/docker_config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "registry/base64.hpp"

namespace dbuild::registry {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

sdk::Result<json> load(const fs::path& file) {
  std::error_code error;
  if (!fs::exists(file, error)) return json::object();
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return sdk::Status::permission_denied(fmt::format("{}: cannot read: {}", file.string(), std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  auto doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return sdk::Status::invalid_argument(fmt::format("{}: not a JSON object", file.string()));
  return doc;
}

// Writes next to the file and renames, so that a crash leaves the old file or the new one.
sdk::Status save(const fs::path& file, const json& doc) {
  std::error_code error;
  auto target = fs::is_symlink(file, error) ? fs::weakly_canonical(file, error) : file;
  if (!target.parent_path().empty() && !fs::exists(target.parent_path(), error)) {
    fs::create_directories(target.parent_path(), error);
    if (error)
      return sdk::Status::permission_denied(
          fmt::format("creating {}: {}", target.parent_path().string(), error.message()));
    ::chmod(target.parent_path().c_str(), 0700);
  }
  auto temp = target;
  temp += fmt::format(".tmp-{}", ::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return sdk::Status::permission_denied(fmt::format("writing {}: {}", temp.string(), std::strerror(errno)));
  // Invalid UTF-8 (a password typed in another encoding) is replaced rather than thrown on.
  auto text = doc.dump(1, '\t', false, json::error_handler_t::replace) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temp.c_str(), target.c_str()) != 0) {
    auto why = std::strerror(errno);
    ::unlink(temp.c_str());
    return sdk::Status::unavailable(fmt::format("writing {}: {}", target.string(), why));
  }
  return sdk::Status::ok();
}

std::string string_field(const json& object, const char* name) {
  auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// The entry of `object` (auths or credHelpers) for `registry`: the exact key first, then any key
// naming the same host ("https://host/v1/", "http://host"), as Docker matches them.
const json* find_entry(const json& doc, const char* section, std::string_view registry) {
  auto found = doc.find(section);
  if (found == doc.end() || !found->is_object()) return nullptr;
  auto key = auth_key(registry);
  if (auto exact = found->find(key); exact != found->end()) return &*exact;
  auto host = normalize_registry(registry);
  for (const auto& [name, value] : found->items())
    if (normalize_registry(name) == host) return &value;
  return nullptr;
}

std::string helper_for(const json& doc, std::string_view registry) {
  if (const auto* helper = find_entry(doc, "credHelpers", registry); helper && helper->is_string())
    return helper->get<std::string>();
  return string_field(doc, "credsStore");
}

sdk::Result<std::optional<Credentials>> from_auths(const json& doc, std::string_view registry, const fs::path& file) {
  const auto* entry = find_entry(doc, "auths", registry);
  if (!entry || !entry->is_object()) return std::optional<Credentials>();
  Credentials credentials;
  credentials.username = string_field(*entry, "username");
  credentials.password = string_field(*entry, "password");
  credentials.identity_token = string_field(*entry, "identitytoken");
  if (auto encoded = string_field(*entry, "auth"); !encoded.empty()) {
    auto decoded = base64_decode(encoded);
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos)
      return sdk::Status::invalid_argument(
          fmt::format("{}: the \"auth\" of {} is not base64 of \"user:password\"", file.string(), auth_key(registry)));
    credentials.username = decoded->substr(0, colon);
    credentials.password = decoded->substr(colon + 1);
  }
  if (credentials.empty()) return std::optional<Credentials>();
  return std::optional(credentials);
}

sdk::Result<os::SubprocessResult> run_helper(const HelperRunner& runner, const std::string& helper,
                                             const std::string& action, const std::string& input) {
  auto program = "docker-credential-" + helper;
  auto result = runner({program, action}, input);
  if (!result) return result.status().with_context(fmt::format("running credential helper {}", program));
  return result;
}

bool says_not_found(const os::SubprocessResult& result) {
  return result.out.find("credentials not found") != std::string::npos ||
         result.err.find("credentials not found") != std::string::npos;
}

std::string helper_failure(const std::string& helper, const std::string& action, const os::SubprocessResult& result) {
  auto said = result.err.empty() ? result.out : result.err;
  while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) said.pop_back();
  return fmt::format("docker-credential-{} {} exited with {}{}", helper, action, result.exit_code,
                     said.empty() ? "" : ": " + said);
}

sdk::Result<std::optional<Credentials>> from_helper(const HelperRunner& runner, const std::string& helper,
                                                    std::string_view registry) {
  auto result = run_helper(runner, helper, "get", auth_key(registry));
  if (!result) return result.status();
  if (result->exit_code != 0) {
    if (says_not_found(*result)) return std::optional<Credentials>();
    return sdk::Status::unavailable(helper_failure(helper, "get", *result));
  }
  auto doc = json::parse(result->out, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return sdk::Status::unavailable(fmt::format("docker-credential-{} get: the answer is not JSON", helper));
  Credentials credentials;
  credentials.username = string_field(doc, "Username");
  auto secret = string_field(doc, "Secret");
  if (credentials.username == "<token>") {  // the helpers' way of returning an identity token
    credentials.username.clear();
    credentials.identity_token = secret;
  } else {
    credentials.password = secret;
  }
  if (credentials.empty()) return std::optional<Credentials>();
  return std::optional(credentials);
}

}  // namespace

HelperRunner default_helper_runner() {
  return [](const std::vector<std::string>& argv, const std::string& input) {
    os::SubprocessOptions options;
    options.input = input;
    return os::run_subprocess(argv, options);
  };
}

fs::path docker_config_file(const EnvLookup& env) {
  if (auto dir = env("DOCKER_CONFIG"); dir && !dir->empty()) return fs::path(*dir) / "config.json";
  auto home = env("HOME");
  return fs::path(home ? *home : "/") / ".docker" / "config.json";
}

std::string auth_key(std::string_view registry) {
  auto host = normalize_registry(registry);
  return host == kDockerHubDomain ? kDockerHubAuthKey : host;
}

DockerConfig::DockerConfig(fs::path file, HelperRunner runner) : file_(std::move(file)), runner_(std::move(runner)) {}

sdk::Result<std::optional<Credentials>> DockerConfig::get(std::string_view registry) const {
  auto doc = load(file_);
  if (!doc) return doc.status();
  if (auto helper = helper_for(*doc, registry); !helper.empty()) {
    auto found = from_helper(runner_, helper, registry);
    if (!found || *found) return found;
  }
  return from_auths(*doc, registry, file_);
}

sdk::Result<StoredIn> DockerConfig::store(std::string_view registry, const Credentials& credentials) const {
  auto doc = load(file_);
  if (!doc) return doc.status();
  auto key = auth_key(registry);
  if (!doc->contains("auths") || !(*doc)["auths"].is_object()) (*doc)["auths"] = json::object();
  if (auto helper = helper_for(*doc, registry); !helper.empty()) {
    json input = {{"ServerURL", key}, {"Username", credentials.username}, {"Secret", credentials.password}};
    auto result = run_helper(runner_, helper, "store", input.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!result) return result.status();
    if (result->exit_code != 0) return sdk::Status::unavailable(helper_failure(helper, "store", *result));
    // As Docker does: an empty entry records that we are logged in; the secret is the helper's.
    (*doc)["auths"][key] = json::object();
    if (auto status = save(file_, *doc); !status) return status;
    return StoredIn::Helper;
  }
  (*doc)["auths"][key] = {{"auth", base64_encode(credentials.username + ":" + credentials.password)}};
  if (auto status = save(file_, *doc); !status) return status;
  return StoredIn::ConfigFile;
}

sdk::Result<bool> DockerConfig::erase(std::string_view registry) const {
  auto doc = load(file_);
  if (!doc) return doc.status();
  bool removed = false;
  if (auto helper = helper_for(*doc, registry); !helper.empty()) {
    auto result = run_helper(runner_, helper, "erase", auth_key(registry));
    if (!result) return result.status();
    if (result->exit_code != 0 && !says_not_found(*result))
      return sdk::Status::unavailable(helper_failure(helper, "erase", *result));
    removed = result->exit_code == 0;
  }
  auto auths = doc->find("auths");
  if (auths != doc->end() && auths->is_object()) {
    auto host = normalize_registry(registry);
    for (auto entry = auths->begin(); entry != auths->end();) {
      if (normalize_registry(entry.key()) != host) {
        ++entry;
        continue;
      }
      entry = auths->erase(entry);
      removed = true;
    }
  }
  if (!removed) return false;
  if (auto status = save(file_, *doc); !status) return status;
  return true;
}

// The lock is held while a helper runs: parallel transfers must not start a helper each (some
// prompt, or unlock a keychain).
sdk::Result<std::optional<Credentials>> DockerConfigCredentials::credentials_for(std::string_view registry) {
  auto key = normalize_registry(registry);
  std::lock_guard lock(mutex_);
  if (auto found = cache_.find(key); found != cache_.end()) return found->second;
  auto credentials = config_.get(key);
  if (credentials) cache_[key] = *credentials;
  return credentials;
}

}  // namespace dbuild::registry
