// registry_login_test.cpp: `dbuild login` and `dbuild logout` against docker-registry with
// htpasswd behind TLS: the credentials are checked, written to Docker's config.json (mode 0600)
// or its credential helper, used by a later pull, and removed again.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "dbuild_runner.hpp"
#include "registry/docker_config.hpp"
#include "support/registry_fixture.hpp"

namespace fs = std::filesystem;
using namespace dbuild;
using nlohmann::json;

namespace {

struct LoginFixture {
  test::TempDir dir;
  test::TestCertificates certs = test::make_test_certificates(dir.path() / "tls");
  test::TestRegistry registry{
      test::TestRegistryOptions{certs, std::pair<std::string, std::string>{"alice", "s3cret"}, {}}};
  fs::path docker_dir = dir.path() / "docker";

  test::ProcessResult dbuild(const std::vector<std::string>& args, const std::string& input = "") {
    test::ProcessOptions options;
    options.environment = {{"DOCKER_CONFIG", docker_dir.string()},
                           {"DBUILD_CONFIG", (dir.path() / "dbuild-config").string()},
                           {"DBUILD_PLUGIN_PATH", std::nullopt},
                           {"PATH", (dir.path() / "bin").string() + ":" + std::getenv("PATH")}};
    options.input = input;
    std::vector<std::string> argv{test::dbuild_binary().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_process(argv, options);
  }
  json config() {
    std::ifstream in(docker_dir / "config.json");
    return json::parse(in);
  }
};

}  // namespace

TEST_CASE("dbuild login checks the password, saves it in config.json, and logout removes it",
          "[integration][registry][login]") {
  LoginFixture fixture;
  const auto host = fixture.registry.host();
  auto login = fixture.dbuild({"login", host, "-u", "alice", "--password-stdin"}, "s3cret\n");
  INFO(login.err);
  REQUIRE(login.exit_code == 0);
  CHECK(login.out == "Login Succeeded\n");
  CHECK(fixture.config()["auths"][host]["auth"] == "YWxpY2U6czNjcmV0");
  struct stat info {};
  REQUIRE(::stat((fixture.docker_dir / "config.json").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  // What login saved is what the client uses.
  registry::DockerConfigCredentials credentials(registry::DockerConfig(fixture.docker_dir / "config.json"));
  registry::ClientOptions options;
  options.credentials = &credentials;
  test::CountingClient client(options);
  test::LocalStore store;
  test::TestImage image("amd64", {"logged-in layer"});
  image.write_to(*store.store);
  auto pushed = client->push_image(test::reference(host + "/me/app:1"), image.descriptor, *store.store);
  INFO(pushed.status().to_string());
  CHECK(pushed);

  auto logout = fixture.dbuild({"logout", host});
  REQUIRE(logout.exit_code == 0);
  CHECK(logout.out == "Removing login credentials for " + host + "\n");
  CHECK_FALSE(fixture.config()["auths"].contains(host));
  auto again = fixture.dbuild({"logout", host});
  CHECK(again.exit_code == 0);
  CHECK(again.out == "Not logged in to " + host + "\n");
}

TEST_CASE("dbuild login with a wrong password fails with the auth error and writes nothing",
          "[integration][registry][login]") {
  LoginFixture fixture;
  const auto host = fixture.registry.host();
  auto login = fixture.dbuild({"login", host, "-u", "alice", "-p", "wrong"});
  CHECK(login.exit_code == 1);
  CHECK(login.err.find("WARNING! Using --password via the CLI is insecure") != std::string::npos);
  CHECK(login.err.find("error: logging in to " + host + ": " + host + ": unauthorized: authentication required") !=
        std::string::npos);
  CHECK(login.err.find("hint: check the password, then run `dbuild login " + host + "`") != std::string::npos);
  CHECK_FALSE(fs::exists(fixture.docker_dir / "config.json"));
}

TEST_CASE("dbuild login refuses contradictory flags as a usage error", "[integration][registry][login]") {
  LoginFixture fixture;
  auto both = fixture.dbuild({"login", fixture.registry.host(), "-u", "alice", "-p", "x", "--password-stdin"}, "y\n");
  CHECK(both.exit_code == 2);
  auto no_user = fixture.dbuild({"login", fixture.registry.host(), "--password-stdin"}, "y\n");
  CHECK(no_user.exit_code == 2);
  CHECK(no_user.err.find("--username") != std::string::npos);
}

TEST_CASE("with a credsStore, dbuild login and logout go through the helper program",
          "[integration][registry][login]") {
  LoginFixture fixture;
  const auto host = fixture.registry.host();
  auto store = fixture.dir.path() / "helper-store";
  auto bin = fixture.dir.path() / "bin";
  fs::create_directories(bin);
  {
    std::ofstream script(bin / "docker-credential-test");
    script << "#!/bin/sh\n"
              "input=$(cat)\n"
              "case \"$1\" in\n"
              "  store) printf '%s' \"$input\" > '"
           << store.string()
           << "' ;;\n"
              "  erase) rm -f '"
           << store.string()
           << "' ;;\n"
              "  get) [ -f '"
           << store.string() << "' ] && cat '" << store.string()
           << "' && exit 0; echo 'credentials not found in native keychain'; exit 1 ;;\n"
              "esac\n";
  }
  fs::permissions(bin / "docker-credential-test", fs::perms::owner_all);
  fs::create_directories(fixture.docker_dir);
  std::ofstream(fixture.docker_dir / "config.json") << R"({"credsStore": "test"})";

  auto login = fixture.dbuild({"login", host, "-u", "alice", "--password-stdin"}, "s3cret");
  INFO(login.err);
  REQUIRE(login.exit_code == 0);
  auto saved = json::parse(std::ifstream(store));
  CHECK(saved == json{{"ServerURL", host}, {"Username", "alice"}, {"Secret", "s3cret"}});
  CHECK(fixture.config()["auths"][host] == json::object());  // no secret in the file
  CHECK(login.err.find("stored unencrypted") == std::string::npos);

  auto logout = fixture.dbuild({"logout", host});
  CHECK(logout.exit_code == 0);
  CHECK_FALSE(fs::exists(store));
}
