// docker_config_test.cpp: credentials from Docker's config.json (auths, credHelpers, credsStore)
// and writing them back as `docker login` does.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "registry/docker_config.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace dbuild::registry;
using nlohmann::json;

namespace {

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// A scripted credential helper: remembers calls, answers from `secrets` (keyed by server).
struct FakeHelper {
  std::vector<std::vector<std::string>> calls;
  std::vector<std::string> inputs;
  std::map<std::string, std::pair<std::string, std::string>> secrets;

  HelperRunner runner() {
    return [this](const std::vector<std::string>& argv,
                  const std::string& input) -> dbuild::sdk::Result<dbuild::os::SubprocessResult> {
      calls.push_back(argv);
      inputs.push_back(input);
      dbuild::os::SubprocessResult result;
      result.exit_code = 0;
      if (argv[1] == "get") {
        auto found = secrets.find(input);
        if (found == secrets.end()) {
          result.exit_code = 1;
          result.out = "credentials not found in native keychain\n";
          return result;
        }
        result.out =
            json{{"ServerURL", input}, {"Username", found->second.first}, {"Secret", found->second.second}}.dump();
      } else if (argv[1] == "store") {
        auto doc = json::parse(input);
        secrets[doc["ServerURL"]] = {doc["Username"], doc["Secret"]};
      } else if (argv[1] == "erase") {
        if (!secrets.erase(input)) result.exit_code = 1, result.out = "credentials not found in native keychain";
      }
      return result;
    };
  }
};

}  // namespace

TEST_CASE("an auths entry's base64 auth gives user and password", "[registry][config]") {
  dbuild::test::TempDir dir;
  // "alice:s3cr:et" — the password may itself contain a colon.
  write(dir.path() / "config.json", R"({"auths": {"reg.example:5000": {"auth": "YWxpY2U6czNjcjpldA=="}}})");
  DockerConfig config(dir.path() / "config.json");
  auto credentials = config.get("reg.example:5000");
  REQUIRE(credentials);
  REQUIRE(*credentials);
  CHECK((*credentials)->username == "alice");
  CHECK((*credentials)->password == "s3cr:et");
}

TEST_CASE("auths keys written as URLs match the registry's host", "[registry][config]") {
  dbuild::test::TempDir dir;
  write(
      dir.path() / "config.json",
      R"({"auths": {"https://reg.example:5000/v2/": {"username": "bob", "password": "pw", "identitytoken": "tok"}}})");
  DockerConfig config(dir.path() / "config.json");
  auto credentials = config.get("reg.example:5000");
  REQUIRE(credentials);
  REQUIRE(*credentials);
  CHECK((*credentials)->username == "bob");
  CHECK((*credentials)->password == "pw");
  CHECK((*credentials)->identity_token == "tok");
}

TEST_CASE("Docker Hub's credentials live under https://index.docker.io/v1/", "[registry][config]") {
  dbuild::test::TempDir dir;
  write(dir.path() / "config.json", R"({"auths": {"https://index.docker.io/v1/": {"auth": "aHViOnB3"}}})");
  DockerConfig config(dir.path() / "config.json");
  for (auto name : {"docker.io", "index.docker.io", "registry-1.docker.io"}) {
    auto credentials = config.get(name);
    REQUIRE(credentials);
    REQUIRE(*credentials);
    CHECK((*credentials)->username == "hub");
  }
  CHECK(auth_key("docker.io") == "https://index.docker.io/v1/");
  CHECK(auth_key("127.0.0.1:5000") == "127.0.0.1:5000");
}

TEST_CASE("no file, no entry, or an empty file mean no credentials", "[registry][config]") {
  dbuild::test::TempDir dir;
  DockerConfig missing(dir.path() / "config.json");
  auto none = missing.get("reg:5000");
  REQUIRE(none);
  CHECK_FALSE(*none);
  write(dir.path() / "config.json", "");
  auto empty = missing.get("reg:5000");
  REQUIRE(empty);
  CHECK_FALSE(*empty);
}

TEST_CASE("a malformed config file or auth entry is an error naming the file", "[registry][config]") {
  dbuild::test::TempDir dir;
  write(dir.path() / "config.json", "{not json");
  DockerConfig config(dir.path() / "config.json");
  auto broken = config.get("reg:5000");
  REQUIRE_FALSE(broken);
  CHECK(broken.status().message().find("config.json") != std::string::npos);
  write(dir.path() / "config.json", R"({"auths": {"reg:5000": {"auth": "bm9jb2xvbg=="}}})");  // "nocolon"
  auto bad_auth = config.get("reg:5000");
  REQUIRE_FALSE(bad_auth);
  CHECK(bad_auth.status().message().find("user:password") != std::string::npos);
}

TEST_CASE("credHelpers names the helper for one registry, credsStore for all others", "[registry][config]") {
  dbuild::test::TempDir dir;
  write(dir.path() / "config.json", R"({"credHelpers": {"reg:5000": "one"}, "credsStore": "all"})");
  FakeHelper helper;
  helper.secrets["reg:5000"] = {"u1", "p1"};
  helper.secrets["https://index.docker.io/v1/"] = {"u2", "p2"};
  DockerConfig config(dir.path() / "config.json", helper.runner());
  auto one = config.get("reg:5000");
  REQUIRE(one);
  REQUIRE(*one);
  CHECK((*one)->username == "u1");
  CHECK(helper.calls.back() == std::vector<std::string>{"docker-credential-one", "get"});
  auto hub = config.get("docker.io");
  REQUIRE(hub);
  REQUIRE(*hub);
  CHECK((*hub)->password == "p2");
  CHECK(helper.calls.back() == std::vector<std::string>{"docker-credential-all", "get"});
  CHECK(helper.inputs.back() == "https://index.docker.io/v1/");
}

TEST_CASE("a helper's <token> username means an identity token", "[registry][config]") {
  dbuild::test::TempDir dir;
  write(dir.path() / "config.json", R"({"credsStore": "t"})");
  FakeHelper helper;
  helper.secrets["reg:5000"] = {"<token>", "refresh"};
  DockerConfig config(dir.path() / "config.json", helper.runner());
  auto credentials = config.get("reg:5000");
  REQUIRE(credentials);
  REQUIRE(*credentials);
  CHECK((*credentials)->username.empty());
  CHECK((*credentials)->identity_token == "refresh");
}

TEST_CASE("a helper that fails for another reason than not-found is an error", "[registry][config]") {
  dbuild::test::TempDir dir;
  write(dir.path() / "config.json", R"({"credsStore": "broken"})");
  DockerConfig config(dir.path() / "config.json", [](const std::vector<std::string>&, const std::string&) {
    dbuild::os::SubprocessResult result;
    result.exit_code = 3;
    result.err = "keychain locked\n";
    return dbuild::sdk::Result<dbuild::os::SubprocessResult>(result);
  });
  auto credentials = config.get("reg:5000");
  REQUIRE_FALSE(credentials);
  CHECK(credentials.status().message().find("keychain locked") != std::string::npos);
}

TEST_CASE("store writes base64 auth with mode 0600 and keeps the file's other fields", "[registry][config]") {
  dbuild::test::TempDir dir;
  auto file = dir.path() / "new" / "config.json";
  write(file, R"({"auths": {"other:1": {"auth": "eDp5"}}, "psFormat": "table {{.ID}}"})");
  DockerConfig config(file);
  auto stored = config.store("reg:5000", {"alice", "pw"});
  REQUIRE(stored);
  CHECK(*stored == StoredIn::ConfigFile);
  auto doc = read_json(file);
  CHECK(doc["auths"]["reg:5000"]["auth"] == "YWxpY2U6cHc=");
  CHECK(doc["auths"]["other:1"]["auth"] == "eDp5");
  CHECK(doc["psFormat"] == "table {{.ID}}");
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("store creates the file and its directory when missing", "[registry][config]") {
  dbuild::test::TempDir dir;
  auto file = dir.path() / "docker" / "config.json";
  DockerConfig config(file);
  REQUIRE(config.store("docker.io", {"hub", "pw"}));
  CHECK(read_json(file)["auths"]["https://index.docker.io/v1/"]["auth"] == "aHViOnB3");
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("with a credsStore, store and erase go through the helper", "[registry][config]") {
  dbuild::test::TempDir dir;
  auto file = dir.path() / "config.json";
  write(file, R"({"credsStore": "t"})");
  FakeHelper helper;
  DockerConfig config(file, helper.runner());
  auto stored = config.store("reg:5000", {"alice", "pw"});
  REQUIRE(stored);
  CHECK(*stored == StoredIn::Helper);
  CHECK(helper.secrets["reg:5000"] == std::pair<std::string, std::string>{"alice", "pw"});
  auto doc = read_json(file);
  CHECK(doc["auths"]["reg:5000"] == json::object());  // no secret in the file
  auto erased = config.erase("reg:5000");
  REQUIRE(erased);
  CHECK(*erased);
  CHECK(helper.secrets.empty());
  CHECK_FALSE(read_json(file)["auths"].contains("reg:5000"));
}

TEST_CASE("erase removes every key naming the registry, and says when there was nothing", "[registry][config]") {
  dbuild::test::TempDir dir;
  auto file = dir.path() / "config.json";
  write(file, R"({"auths": {"reg:5000": {"auth": "eDp5"}, "https://reg:5000": {"auth": "eDp5"}, "keep:1": {}}})");
  DockerConfig config(file);
  auto erased = config.erase("reg:5000");
  REQUIRE(erased);
  CHECK(*erased);
  auto doc = read_json(file);
  CHECK(doc["auths"].size() == 1);
  CHECK(doc["auths"].contains("keep:1"));
  auto again = config.erase("reg:5000");
  REQUIRE(again);
  CHECK_FALSE(*again);
}

TEST_CASE("DOCKER_CONFIG names the directory of config.json, else ~/.docker", "[registry][config]") {
  auto env = [](std::map<std::string, std::string> values) -> EnvLookup {
    return [values](const char* name) -> std::optional<std::string> {
      auto found = values.find(name);
      return found == values.end() ? std::nullopt : std::optional(found->second);
    };
  };
  CHECK(docker_config_file(env({{"DOCKER_CONFIG", "/d"}, {"HOME", "/h"}})) == "/d/config.json");
  CHECK(docker_config_file(env({{"HOME", "/h"}})) == "/h/.docker/config.json");
}
