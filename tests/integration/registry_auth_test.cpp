// registry_auth_test.cpp: the registry client's auth against real peers: docker-registry with
// htpasswd Basic auth behind TLS (a CA made here with openssl, trusted through certs.d), and with
// bearer tokens from the test token server; credentials from config.json `auths` and from a
// credential helper program; wrong passwords failing fast.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "registry/docker_config.hpp"
#include "support/registry_fixture.hpp"
#include "support/token_server.hpp"

namespace fs = std::filesystem;
using namespace dbuild;
using test::CountingClient;
using test::LocalStore;
using test::reference;
using test::TestImage;
using test::TestRegistry;

namespace {

void write_file(const fs::path& path, const std::string& text,
                fs::perms mode = fs::perms::owner_read | fs::perms::owner_write) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  fs::permissions(path, mode);
}

// A TLS + htpasswd registry, and a client configuration that trusts its CA through certs.d
// (loopback is not treated as insecure here, so the CA is what makes TLS work).
struct TlsRegistry {
  test::TempDir dir;
  test::TestCertificates certs = test::make_test_certificates(dir.path() / "tls");
  TestRegistry registry{test::TestRegistryOptions{certs, std::pair<std::string, std::string>{"alice", "s3cret"}, {}}};

  registry::ClientOptions options(registry::CredentialProvider* credentials, bool trust_ca = true) {
    registry::ClientOptions options;
    options.hosts.loopback_is_insecure = false;
    if (trust_ca) {
      auto certs_d = dir.path() / "certs.d";
      fs::create_directories(certs_d / registry.host());
      fs::copy_file(certs.ca_cert, certs_d / registry.host() / "ca.crt", fs::copy_options::overwrite_existing);
      options.hosts.certs_dirs = {certs_d};
    }
    options.credentials = credentials;
    return options;
  }
};

// A docker-registry that takes bearer tokens from the test token server, where alice's password is s3cret.
struct TokenRegistry {
  test::TempDir dir;
  test::TestTokenServer tokens{dir.path() / "token", {{"alice", "s3cret"}}};
  TestRegistry registry{test::TestRegistryOptions{
      std::nullopt, std::nullopt,
      test::TestRegistryOptions::Token{tokens.realm(), tokens.service(), tokens.issuer(), tokens.certificate()}}};
};

}  // namespace

TEST_CASE("a TLS registry with htpasswd takes credentials from config.json auths and its CA from certs.d",
          "[integration][registry][auth]") {
  TlsRegistry tls;
  write_file(tls.dir.path() / "docker" / "config.json",
             R"({"auths": {")" + tls.registry.host() + R"(": {"auth": "YWxpY2U6czNjcmV0"}}})");  // alice:s3cret
  registry::DockerConfigCredentials credentials(registry::DockerConfig(tls.dir.path() / "docker" / "config.json"));
  CountingClient client(tls.options(&credentials));
  LocalStore source, target;
  TestImage image("amd64", {test::random_bytes(50 * 1024, 7)});
  image.write_to(*source.store);
  auto ref = reference(tls.registry.host() + "/private/app:1");

  auto pushed = client->push_image(ref, image.descriptor, *source.store);
  INFO(pushed.status().to_string());
  REQUIRE(pushed);
  auto pulled = client->pull_image(ref, {"linux", "amd64"}, *target.store);
  INFO(pulled.status().to_string());
  REQUIRE(pulled);
  CHECK(target.store->exists(oci::sha256_of(image.layers[0])));
  CHECK(test::skopeo_digest("docker://" + ref.str(), {"--creds", "alice:s3cret"}) == image.descriptor.digest.str());
  auto anonymous = test::run_skopeo({"inspect", "--tls-verify=false", "docker://" + ref.str()});
  CHECK(anonymous.exit_code != 0);  // the registry really demands credentials
}

TEST_CASE("a TLS registry whose CA is not trusted is refused with a certificate error and the certs.d hint",
          "[integration][registry][auth]") {
  TlsRegistry tls;
  registry::StaticCredentials credentials({"alice", "s3cret"});
  CountingClient client(tls.options(&credentials, false));
  auto resolved = client->resolve(reference(tls.registry.host() + "/private/app:1"));
  REQUIRE_FALSE(resolved);
  INFO(resolved.status().to_string());
  CHECK(resolved.status().code() == sdk::Code::FailedPrecondition);
  CHECK(resolved.status().message().find("TLS") != std::string::npos);
  CHECK(resolved.status().hint().find("certs.d/" + tls.registry.host() + "/ca.crt") != std::string::npos);
  CHECK(client.attempts == 1);  // no retry, and no fall back to plain HTTP for a registry not marked insecure
}

TEST_CASE("a wrong password fails fast with the unauthorized message and the login hint",
          "[integration][registry][auth]") {
  TlsRegistry tls;
  registry::StaticCredentials credentials({"alice", "wrong"});
  CountingClient client(tls.options(&credentials));
  LocalStore source;
  TestImage image("amd64", {"layer"});
  image.write_to(*source.store);
  auto pushed = client->push_image(reference(tls.registry.host() + "/private/app:1"), image.descriptor, *source.store);
  REQUIRE_FALSE(pushed);
  auto status = pushed.status();
  INFO(status.to_string());
  CHECK(status.code() == sdk::Code::PermissionDenied);
  CHECK(status.message().find(tls.registry.host() + ": unauthorized: authentication required") != std::string::npos);
  CHECK(status.message().find("\"alice\"") != std::string::npos);
  CHECK(status.hint().find("dbuild login " + tls.registry.host()) != std::string::npos);
  // Two blobs are pushed in parallel, each asking once anonymously and once with the password.
  CHECK(client.requests <= 4);
}

TEST_CASE("credentials come from a credential helper named in credHelpers", "[integration][registry][auth]") {
  TlsRegistry tls;
  auto bin = tls.dir.path() / "bin";
  auto calls = tls.dir.path() / "helper-calls";
  write_file(bin / "docker-credential-test",
             "#!/bin/sh\n"
             "server=$(cat)\n"
             "echo \"$1 $server\" >> '" +
                 calls.string() +
                 "'\n"
                 "if [ \"$1\" = get ] && [ \"$server\" = '" +
                 tls.registry.host() +
                 "' ]; then\n"
                 "  printf '{\"ServerURL\":\"%s\",\"Username\":\"alice\",\"Secret\":\"s3cret\"}' \"$server\"; exit 0\n"
                 "fi\n"
                 "echo 'credentials not found in native keychain'; exit 1\n",
             fs::perms::owner_all);
  ::setenv("PATH", (bin.string() + ":" + std::getenv("PATH")).c_str(), 1);  // this test's own process
  write_file(tls.dir.path() / "docker" / "config.json",
             R"({"credHelpers": {")" + tls.registry.host() + R"(": "test"}, "auths": {}})");
  registry::DockerConfigCredentials credentials(registry::DockerConfig(tls.dir.path() / "docker" / "config.json"));
  CountingClient client(tls.options(&credentials));
  LocalStore source;
  TestImage image("amd64", {"layer from a helper's push"});
  image.write_to(*source.store);
  auto ref = reference(tls.registry.host() + "/private/helped:1");
  auto pushed = client->push_image(ref, image.descriptor, *source.store);
  INFO(pushed.status().to_string());
  REQUIRE(pushed);
  REQUIRE(client->resolve(ref));
  std::ifstream log(calls);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(log, line)) lines.push_back(line);
  CHECK(lines == std::vector<std::string>{"get " + tls.registry.host()});  // asked once, then remembered
}

TEST_CASE("a token registry is pushed to and pulled from with bearer tokens, each reused until it expires",
          "[integration][registry][auth]") {
  TokenRegistry peer;
  auto& tokens = peer.tokens;
  auto& registry = peer.registry;
  registry::StaticCredentials credentials({"alice", "s3cret"});
  registry::ClientOptions options;
  options.credentials = &credentials;
  CountingClient client(options);
  LocalStore source, target;
  TestImage image("amd64", {test::random_bytes(20 * 1024, 8), "small"});
  image.write_to(*source.store);
  auto ref = reference(registry.host() + "/team/app:1");

  auto pushed = client->push_image(ref, image.descriptor, *source.store);
  INFO(pushed.status().to_string());
  REQUIRE(pushed);
  auto after_push = tokens.tokens_issued();
  CHECK(after_push <= 3);  // parallel first requests may each fetch one; never one per request
  REQUIRE(client->pull_image(ref, {"linux", "amd64"}, *target.store));
  REQUIRE(client->resolve(ref));
  REQUIRE(client->resolve(ref));
  CHECK(tokens.tokens_issued() == after_push + 1);  // one pull token, reused
  auto scopes = tokens.scopes_requested();
  CHECK(std::find(scopes.begin(), scopes.end(), "repository:team/app:pull,push") != scopes.end());
  CHECK(std::find(scopes.begin(), scopes.end(), "repository:team/app:pull") != scopes.end());
  CHECK(test::skopeo_digest("docker://" + ref.str(), {"--creds", "alice:s3cret"}) == image.descriptor.digest.str());
}

TEST_CASE("a token server refusing the password fails in two requests with the login hint",
          "[integration][registry][auth]") {
  TokenRegistry peer;
  auto& tokens = peer.tokens;
  auto& registry = peer.registry;
  registry::StaticCredentials credentials({"alice", "nope"});
  registry::ClientOptions options;
  options.credentials = &credentials;
  CountingClient client(options);
  auto resolved = client->resolve(reference(registry.host() + "/team/app:1"));
  REQUIRE_FALSE(resolved);
  INFO(resolved.status().to_string());
  CHECK(resolved.status().code() == sdk::Code::PermissionDenied);
  CHECK(resolved.status().message().find("incorrect username or password") != std::string::npos);
  CHECK(resolved.status().hint().find("dbuild login " + registry.host()) != std::string::npos);
  CHECK(client.requests == 2);
  CHECK(tokens.refusals() == 1);

  SECTION("and anonymous access is refused with the same hint") {
    CountingClient anonymous;
    auto denied = anonymous->resolve(reference(registry.host() + "/team/app:1"));
    REQUIRE_FALSE(denied);
    CHECK(denied.status().code() == sdk::Code::PermissionDenied);
    CHECK(denied.status().message().find("unauthorized") != std::string::npos);
    CHECK(anonymous.requests == 3);  // 401, an anonymous token, 401 again: then stop
  }
}
