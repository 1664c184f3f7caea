// client_auth_test.cpp: the client's authorization and retry rules against a scripted transport:
// Basic and bearer challenges, token reuse and expiry, wrong passwords failing fast, backoff on
// 429/5xx and dropped connections, and TLS rules per registry.
#include <catch2/catch.hpp>

#include "fake_transport.hpp"
#include "oci/sha256.hpp"
#include "registry/registry_client.hpp"

using namespace std::chrono_literals;
using namespace dbuild;
using registry::HttpRequest;
using registry::HttpResponse;
using test::FakeTransport;
using test::header_of;
using test::respond;

namespace {

constexpr const char* kManifest = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"})";

HttpResponse manifest_head() {
  return respond(200, {},
                 {{"content-type", sdk::media_type::kOciManifest},
                  {"docker-content-digest", oci::sha256_of(kManifest).str()},
                  {"content-length", std::to_string(std::string_view(kManifest).size())}});
}

oci::Reference reference(const std::string& text) {
  auto parsed = oci::parse_reference(text);
  REQUIRE(parsed);
  return *parsed;
}

struct Harness {
  FakeTransport* transport = nullptr;
  std::vector<std::chrono::milliseconds> sleeps;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::from_time_t(1700000000);
  std::unique_ptr<registry::StaticCredentials> credentials;
  std::unique_ptr<registry::RegistryClient> client;

  Harness(FakeTransport::Handler handler, std::optional<registry::Credentials> creds = std::nullopt,
          registry::HostRules hosts = {}) {
    auto owned = std::make_unique<FakeTransport>(std::move(handler));
    transport = owned.get();
    registry::ClientOptions options;
    options.hosts = std::move(hosts);
    if (creds) credentials = std::make_unique<registry::StaticCredentials>(*creds);
    options.credentials = credentials.get();
    options.sleep = [this](std::chrono::milliseconds delay) { sleeps.push_back(delay); };
    options.clock = [this] { return now; };
    client = std::make_unique<registry::RegistryClient>(std::move(options), std::move(owned));
  }
};

bool is_token_request(const HttpRequest& request) { return request.url.starts_with("https://auth.test/token"); }

}  // namespace

TEST_CASE("a bearer challenge is answered with a token fetched with the credentials", "[registry][client][auth]") {
  int tokens = 0;
  Harness harness(
      [&](const HttpRequest& request) -> sdk::Result<HttpResponse> {
        if (is_token_request(request)) {
          ++tokens;
          CHECK(header_of(request, "Authorization") == "Basic YWxpY2U6cHc=");
          CHECK(request.url.find("service=reg.test") != std::string::npos);
          CHECK(request.url.find("scope=repository%3Ax%2Fapp%3Apull") != std::string::npos);
          CHECK(request.url.find("account=alice") != std::string::npos);
          return respond(200, R"({"token":"T)" + std::to_string(tokens) + R"(","expires_in":300})");
        }
        if (header_of(request, "Authorization").starts_with("Bearer T")) return manifest_head();
        return respond(401, {}, {{"www-authenticate", R"(Bearer realm="https://auth.test/token",service="reg.test")"}});
      },
      registry::Credentials{"alice", "pw"});
  auto ref = reference("reg.test/x/app:1");
  auto first = harness.client->resolve(ref);
  INFO(first.status().to_string());
  REQUIRE(first);
  CHECK(first->digest == oci::sha256_of(kManifest));
  CHECK(harness.transport->count() == 3);  // anonymous 401, token, retry

  SECTION("and reused for the next request while it is valid") {
    REQUIRE(harness.client->resolve(ref));
    CHECK(tokens == 1);
    CHECK(harness.transport->count() == 4);
  }
  SECTION("and fetched again once it has expired") {
    harness.now += 301s;
    REQUIRE(harness.client->resolve(ref));
    CHECK(tokens == 2);
  }
}

TEST_CASE("a wrong Basic password fails after two requests with the login hint", "[registry][client][auth]") {
  Harness harness(
      [](const HttpRequest&) -> sdk::Result<HttpResponse> {
        return respond(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
                       {{"www-authenticate", R"(Basic realm="Registry Realm")"}});
      },
      registry::Credentials{"alice", "wrong"});
  auto result = harness.client->resolve(reference("reg.test/x/app:1"));
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == sdk::Code::PermissionDenied);
  CHECK(result.status().message().find("reg.test: unauthorized: authentication required") != std::string::npos);
  CHECK(result.status().message().find("alice") != std::string::npos);
  CHECK(result.status().hint().find("dbuild login reg.test") != std::string::npos);
  CHECK(harness.transport->count() == 2);
  CHECK(harness.sleeps.empty());
}

TEST_CASE("a token server refusing the password fails after two requests", "[registry][client][auth]") {
  Harness harness(
      [](const HttpRequest& request) -> sdk::Result<HttpResponse> {
        if (is_token_request(request)) return respond(401, R"({"details":"incorrect username or password"})");
        return respond(401, {}, {{"www-authenticate", R"(Bearer realm="https://auth.test/token",service="reg.test")"}});
      },
      registry::Credentials{"alice", "wrong"});
  auto result = harness.client->resolve(reference("reg.test/x/app:1"));
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == sdk::Code::PermissionDenied);
  CHECK(result.status().message().find("incorrect username or password") != std::string::npos);
  CHECK(harness.transport->count() == 2);
}

TEST_CASE("without credentials a Basic challenge fails at once with the login hint", "[registry][client][auth]") {
  Harness harness([](const HttpRequest&) -> sdk::Result<HttpResponse> {
    return respond(401, {}, {{"www-authenticate", R"(Basic realm="r")"}});
  });
  auto result = harness.client->resolve(reference("docker.io/library/alpine:3"));
  REQUIRE_FALSE(result);
  CHECK(result.status().message().find("docker.io: unauthorized") != std::string::npos);
  CHECK(result.status().hint() == "run `dbuild login`");
  CHECK(harness.transport->count() == 1);
  CHECK(harness.transport->requests()[0].url.starts_with("https://registry-1.docker.io/v2/library/alpine/"));
}

TEST_CASE("a refused cached token is replaced once, then the refusal is final", "[registry][client][auth]") {
  int tokens = 0;
  bool revoked = false;
  Harness harness([&](const HttpRequest& request) -> sdk::Result<HttpResponse> {
    if (is_token_request(request)) return respond(200, R"({"token":"T)" + std::to_string(++tokens) + R"("})");
    auto auth = header_of(request, "Authorization");
    if (auth == "Bearer T1" && !revoked) return manifest_head();
    if (auth == "Bearer T2") return manifest_head();
    return respond(401, {}, {{"www-authenticate", R"(Bearer realm="https://auth.test/token",service="reg.test")"}});
  });
  auto ref = reference("reg.test/x/app:1");
  REQUIRE(harness.client->resolve(ref));
  revoked = true;
  REQUIRE(harness.client->resolve(ref));
  CHECK(tokens == 2);
}

TEST_CASE("503 is retried with exponential backoff, honouring Retry-After", "[registry][client][retry]") {
  int calls = 0;
  Harness harness([&](const HttpRequest&) -> sdk::Result<HttpResponse> {
    ++calls;
    if (calls == 1) return respond(503);
    if (calls == 2) return respond(503, {}, {{"retry-after", "2"}});
    return manifest_head();
  });
  auto result = harness.client->resolve(reference("reg.test/x/app:1"));
  REQUIRE(result);
  CHECK(harness.sleeps == std::vector<std::chrono::milliseconds>{250ms, 2000ms});
}

TEST_CASE("429 is retried a bounded number of times, then reported", "[registry][client][retry]") {
  Harness harness([](const HttpRequest&) -> sdk::Result<HttpResponse> {
    return respond(429, R"({"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]})");
  });
  auto result = harness.client->fetch_manifest(reference("reg.test/x/app:1"));
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == sdk::Code::Unavailable);
  CHECK(result.status().message().find("TOOMANYREQUESTS: slow down") != std::string::npos);
  CHECK(harness.transport->count() == 4);
  CHECK(harness.sleeps == std::vector<std::chrono::milliseconds>{250ms, 500ms, 1000ms});
}

TEST_CASE("a Retry-After longer than the client will wait is not waited for", "[registry][client][retry]") {
  Harness harness([](const HttpRequest&) -> sdk::Result<HttpResponse> {
    return respond(429, {}, {{"retry-after", "3600"}});
  });
  REQUIRE_FALSE(harness.client->fetch_manifest(reference("reg.test/x/app:1")));
  CHECK(harness.transport->count() == 1);
  CHECK(harness.sleeps.empty());
}

TEST_CASE("a refused connection is retried, then reported with the registry's name", "[registry][client][retry]") {
  Harness harness([](const HttpRequest&) -> sdk::Result<HttpResponse> {
    return sdk::Status::unavailable("Failed to connect to reg.test port 443: Connection refused");
  });
  auto result = harness.client->resolve(reference("reg.test/x/app:1"));
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == sdk::Code::Unavailable);
  CHECK(result.status().to_string().find("resolving reg.test/x/app:1: reg.test: Failed to connect") !=
        std::string::npos);
  CHECK(harness.transport->count() == 4);
}

TEST_CASE("an untrusted certificate is not retried, and the hint names certs.d", "[registry][client][tls]") {
  Harness harness([](const HttpRequest& request) -> sdk::Result<HttpResponse> {
    CHECK(request.tls.verify);
    return sdk::Status::failed_precondition("TLS: SSL certificate problem: self-signed certificate");
  });
  auto result = harness.client->resolve(reference("reg.test/x/app:1"));
  REQUIRE_FALSE(result);
  CHECK(result.status().message().find("self-signed") != std::string::npos);
  CHECK(result.status().hint().find("certs.d/reg.test/ca.crt") != std::string::npos);
  CHECK(harness.transport->count() == 1);
}

TEST_CASE("a loopback registry without TLS is reached over plain HTTP from then on", "[registry][client][tls]") {
  Harness harness([](const HttpRequest& request) -> sdk::Result<HttpResponse> {
    if (request.url.starts_with("https://")) {
      CHECK_FALSE(request.tls.verify);  // insecure: any certificate would do
      return sdk::Status::failed_precondition("TLS: wrong version number");
    }
    return manifest_head();
  });
  auto ref = reference("127.0.0.1:5000/x/app:1");
  REQUIRE(harness.client->resolve(ref));
  REQUIRE(harness.client->resolve(ref));
  auto requests = harness.transport->requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[1].url == "http://127.0.0.1:5000/v2/x/app/manifests/1");
  CHECK(requests[2].url.starts_with("http://"));
}

TEST_CASE("a registry not listed as insecure never falls back to plain HTTP", "[registry][client][tls]") {
  registry::HostRules hosts;
  hosts.loopback_is_insecure = false;
  Harness harness(
      [](const HttpRequest&) -> sdk::Result<HttpResponse> {
        return sdk::Status::failed_precondition("TLS: wrong version number");
      },
      std::nullopt, hosts);
  REQUIRE_FALSE(harness.client->resolve(reference("127.0.0.1:5000/x/app:1")));
  CHECK(harness.transport->count() == 1);
}

TEST_CASE("check_login verifies credentials against a Basic registry", "[registry][client][auth]") {
  Harness harness([](const HttpRequest& request) -> sdk::Result<HttpResponse> {
    if (header_of(request, "Authorization") == "Basic YWxpY2U6cHc=") return respond(200, "{}");
    return respond(401, {}, {{"www-authenticate", R"(Basic realm="r")"}});
  });
  CHECK(harness.client->check_login("reg.test", {"alice", "pw"}));
  auto refused = harness.client->check_login("reg.test", {"alice", "nope"});
  REQUIRE_FALSE(refused);
  CHECK(refused.code() == sdk::Code::PermissionDenied);
}

TEST_CASE("an identity token is exchanged at the realm with an OAuth2 refresh-token POST", "[registry][client][auth]") {
  registry::Credentials credentials;
  credentials.identity_token = "refresh-me";
  Harness harness(
      [](const HttpRequest& request) -> sdk::Result<HttpResponse> {
        if (is_token_request(request)) {
          CHECK(request.method == "POST");
          CHECK(header_of(request, "Content-Type") == "application/x-www-form-urlencoded");
          CHECK(request.body.find("grant_type=refresh_token") != std::string::npos);
          CHECK(request.body.find("refresh_token=refresh-me") != std::string::npos);
          CHECK(request.body.find("scope=repository%3Ax%2Fapp%3Apull") != std::string::npos);
          CHECK(header_of(request, "Authorization").empty());
          return respond(200, R"({"access_token":"A1","expires_in":300})");
        }
        if (header_of(request, "Authorization") == "Bearer A1") return manifest_head();
        return respond(401, {}, {{"www-authenticate", R"(Bearer realm="https://auth.test/token",service="reg.test")"}});
      },
      credentials);
  auto resolved = harness.client->resolve(reference("reg.test/x/app:1"));
  INFO(resolved.status().to_string());
  CHECK(resolved);
}

TEST_CASE("403 is final: denied, with no retry", "[registry][client][auth]") {
  Harness harness([](const HttpRequest&) -> sdk::Result<HttpResponse> {
    return respond(403, R"({"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]})");
  });
  auto result = harness.client->fetch_manifest(reference("reg.test/x/app:1"));
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == sdk::Code::PermissionDenied);
  CHECK(result.status().message().find("reg.test: denied: DENIED: requested access to the resource is denied") !=
        std::string::npos);
  CHECK(harness.transport->count() == 1);
}
