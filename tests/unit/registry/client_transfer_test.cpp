// client_transfer_test.cpp: pulling and pushing against an in-memory registry: verification,
// resumes, platform choice, uploads (monolithic and chunked), mounts, and the order of a push.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>

#include "client_harness.hpp"

using namespace dbuild;
using registry::HttpRequest;
using registry::HttpResponse;
using test::descriptor_of;
using test::FakeRegistry;
using test::FakeTransport;
using test::Harness;
using test::header_of;
using test::Image;
using test::MemoryContentStore;
using test::reference;
using test::respond;

TEST_CASE("a pulled blob is stored under its digest, and a stored one is not downloaded again",
          "[registry][client][pull]") {
  Harness harness;
  std::string data(5000, 'x');
  harness.fake.add_blob("x/app", data);
  MemoryContentStore store;
  auto blob = descriptor_of(sdk::media_type::kOciLayer, data);
  REQUIRE(harness.client->pull_blob(reference("reg.test/x/app"), blob, store));
  CHECK(store.read(blob.digest).value() == data);
  auto before = harness.transport->count();
  std::vector<registry::TransferProgress::State> states;
  registry::TransferOptions options;
  options.progress = [&](const registry::TransferProgress& progress) { states.push_back(progress.state); };
  REQUIRE(harness.client->pull_blob(reference("reg.test/x/app"), blob, store, options));
  CHECK(harness.transport->count() == before);
  CHECK(states == std::vector{registry::TransferProgress::State::Exists});
}

TEST_CASE("a blob download resumes with Range after a dropped connection", "[registry][client][pull]") {
  Harness harness;
  std::string data(1000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  auto blob = descriptor_of(sdk::media_type::kOciLayer, data);
  std::vector<std::string> ranges;
  harness.intercept = [&](const HttpRequest& request) -> std::optional<sdk::Result<HttpResponse>> {
    if (request.method != "GET") return std::nullopt;
    ranges.push_back(header_of(request, "Range"));
    if (ranges.size() == 1) {
      REQUIRE(request.on_body(200, std::string_view(data).substr(0, 400)));
      return sdk::Result<HttpResponse>(sdk::Status::unavailable("Recv failure: Connection reset by peer"));
    }
    return respond(206, data.substr(400), {{"content-range", "bytes 400-999/1000"}});
  };
  MemoryContentStore store;
  auto status = harness.client->pull_blob(reference("reg.test/x/app"), blob, store);
  INFO(status.to_string());
  REQUIRE(status);
  CHECK(ranges == std::vector<std::string>{"", "bytes=400-"});
  CHECK(store.read(blob.digest).value() == data);
}

TEST_CASE("a server that ignores Range sends everything again, and the blob starts over", "[registry][client][pull]") {
  Harness harness;
  std::string data(1000, 'a');
  data[999] = 'z';
  auto blob = descriptor_of(sdk::media_type::kOciLayer, data);
  int calls = 0;
  harness.intercept = [&](const HttpRequest& request) -> std::optional<sdk::Result<HttpResponse>> {
    if (request.method != "GET") return std::nullopt;
    if (++calls == 1) {
      REQUIRE(request.on_body(200, std::string_view(data).substr(0, 300)));
      return sdk::Result<HttpResponse>(sdk::Status::unavailable("connection reset"));
    }
    return respond(200, data);
  };
  MemoryContentStore store;
  REQUIRE(harness.client->pull_blob(reference("reg.test/x/app"), blob, store));
  CHECK(store.read(blob.digest).value() == data);
}

TEST_CASE("a blob whose content does not match its digest is refused and nothing is stored",
          "[registry][client][pull]") {
  Harness harness;
  std::string data(100, 'a');
  auto blob = descriptor_of(sdk::media_type::kOciLayer, data);
  harness.fake.blobs["x/app"][blob.digest.str()] = std::string(100, 'b');  // tampered, same size
  MemoryContentStore store;
  auto status = harness.client->pull_blob(reference("reg.test/x/app"), blob, store);
  REQUIRE_FALSE(status);
  CHECK(status.code() == sdk::Code::InvalidArgument);
  CHECK(status.message().find("does not match its digest") != std::string::npos);
  CHECK(status.message().find("reg.test/x/app@" + blob.digest.str()) != std::string::npos);
  CHECK(store.count() == 0);
}

TEST_CASE("a blob larger than its descriptor says is cut off and refused", "[registry][client][pull]") {
  Harness harness;
  std::string data(100, 'a');
  auto blob = descriptor_of(sdk::media_type::kOciLayer, data);
  harness.fake.blobs["x/app"][blob.digest.str()] = std::string(5000, 'a');
  MemoryContentStore store;
  auto status = harness.client->pull_blob(reference("reg.test/x/app"), blob, store);
  REQUIRE_FALSE(status);
  CHECK(status.message().find("more than the 100 bytes") != std::string::npos);
  CHECK(store.count() == 0);
}

TEST_CASE("a manifest whose body does not match the registry's digest is refused", "[registry][client][pull]") {
  Harness harness;
  Image image("amd64", {"layer"});
  harness.fake.add_manifest("x/app", "1", image.manifest, sdk::media_type::kOciManifest);
  harness.intercept = [&](const HttpRequest& request) -> std::optional<sdk::Result<HttpResponse>> {
    if (request.method != "GET") return std::nullopt;
    auto answer = harness.fake.handle(request);
    answer->body[answer->body.size() - 2] = ' ';  // still JSON, another digest
    return answer;
  };
  auto fetched = harness.client->fetch_manifest(reference("reg.test/x/app:1"));
  REQUIRE_FALSE(fetched);
  CHECK(fetched.status().code() == sdk::Code::InvalidArgument);
  CHECK(fetched.status().message().find("does not match") != std::string::npos);
}

TEST_CASE("a HEAD without a digest falls back to GET, and the body is verified", "[registry][client][resolve]") {
  Harness harness;
  Image image("amd64", {"layer"});
  harness.fake.add_manifest("x/app", "1", image.manifest, sdk::media_type::kOciManifest);
  harness.intercept = [](const HttpRequest& request) -> std::optional<sdk::Result<HttpResponse>> {
    if (request.method == "HEAD") return sdk::Result<HttpResponse>(respond(200));
    return std::nullopt;
  };
  auto resolved = harness.client->resolve(reference("reg.test/x/app:1"));
  REQUIRE(resolved);
  CHECK(resolved->digest == oci::sha256_of(image.manifest));
  CHECK(resolved->media_type == sdk::media_type::kOciManifest);
  CHECK(resolved->size == static_cast<std::int64_t>(image.manifest.size()));
}

TEST_CASE("an unknown tag is not_found naming the reference", "[registry][client][resolve]") {
  Harness harness;
  auto resolved = harness.client->resolve(reference("reg.test/x/app:nope"));
  REQUIRE_FALSE(resolved);
  CHECK(resolved.status().code() == sdk::Code::NotFound);
  CHECK(resolved.status().message().find("reg.test/x/app:nope") != std::string::npos);
}

TEST_CASE("an index resolves to the requested platform's manifest, arm variants as containerd",
          "[registry][client][resolve]") {
  Harness harness;
  Image amd64("amd64", {"a"}), arm64("arm64", {"b"}), armv6("arm", {"c"});
  oci::Index index;
  index.manifests = {descriptor_of(sdk::media_type::kOciManifest, amd64.manifest),
                     descriptor_of(sdk::media_type::kOciManifest, arm64.manifest),
                     descriptor_of(sdk::media_type::kOciManifest, armv6.manifest)};
  index.manifests[0].platform = sdk::Platform{"linux", "amd64"};
  index.manifests[1].platform = sdk::Platform{"linux", "arm64"};
  index.manifests[2].platform = sdk::Platform{"linux", "arm", "v6"};
  harness.fake.add_manifest("x/app", "multi", oci::to_json(index), sdk::media_type::kOciIndex);
  auto ref = reference("reg.test/x/app:multi");
  auto root = harness.client->resolve(ref);
  REQUIRE(root);
  CHECK(root->media_type == sdk::media_type::kOciIndex);
  auto arm = harness.client->resolve(ref, sdk::Platform{"linux", "arm64"});
  REQUIRE(arm);
  CHECK(arm->digest == oci::sha256_of(arm64.manifest));
  auto v7 = harness.client->resolve(ref, sdk::Platform{"linux", "arm", "v7"});  // v7 runs v6
  REQUIRE(v7);
  CHECK(v7->digest == oci::sha256_of(armv6.manifest));
  auto missing = harness.client->resolve(ref, sdk::Platform{"linux", "s390x"});
  REQUIRE_FALSE(missing);
  CHECK(missing.status().code() == sdk::Code::NotFound);
  CHECK(missing.status().message().find("linux/amd64, linux/arm64, linux/arm/v6") != std::string::npos);
}

TEST_CASE("pull_image stores the index, the platform's manifest, its config and layers", "[registry][client][pull]") {
  Harness harness;
  Image amd64("amd64", {"l1", "l2", "l3", "l4"}), arm64("arm64", {"other"});
  amd64.serve_from(harness.fake, "x/app");
  oci::Index index;
  index.manifests = {descriptor_of(sdk::media_type::kOciManifest, arm64.manifest),
                     descriptor_of(sdk::media_type::kOciManifest, amd64.manifest)};
  index.manifests[0].platform = sdk::Platform{"linux", "arm64"};
  index.manifests[1].platform = sdk::Platform{"linux", "amd64"};
  harness.fake.add_manifest("x/app", "1", oci::to_json(index), sdk::media_type::kOciIndex);
  harness.fake.add_manifest("x/app", "amd64", amd64.manifest, sdk::media_type::kOciManifest);
  MemoryContentStore store;
  std::atomic<int> done{0};
  registry::TransferOptions options;
  options.progress = [&](const registry::TransferProgress& progress) {
    if (progress.state == registry::TransferProgress::State::Done) ++done;
  };
  auto pulled = harness.client->pull_image(reference("reg.test/x/app:1"), {"linux", "amd64"}, store, options);
  INFO(pulled.status().to_string());
  REQUIRE(pulled);
  CHECK(pulled->root.media_type == sdk::media_type::kOciIndex);
  CHECK(pulled->manifest.digest == oci::sha256_of(amd64.manifest));
  CHECK(pulled->parsed.layers.size() == 4);
  CHECK(done == 5);
  CHECK(store.count() == 7);  // index, manifest, config, 4 layers
  CHECK(store.exists(oci::sha256_of(oci::to_json(index))));
}

TEST_CASE("push uploads blobs first and the tag last, a small blob in one PUT", "[registry][client][push]") {
  Harness harness;
  Image image("amd64", {"layer one", "layer two"});
  MemoryContentStore store;
  image.store_in(store);
  auto root = descriptor_of(sdk::media_type::kOciManifest, image.manifest);
  auto pushed = harness.client->push_image(reference("reg.test/x/app:1"), root, store);
  INFO(pushed.status().to_string());
  REQUIRE(pushed);
  CHECK(pushed->digest == root.digest);
  CHECK(harness.fake.blobs["x/app"].size() == 3);
  CHECK(harness.fake.manifests["x/app"].count("1"));
  CHECK(harness.fake.log.back() == "PUT /v2/x/app/manifests/1");
  CHECK(std::count_if(harness.fake.log.begin(), harness.fake.log.end(),
                      [](const std::string& line) { return line.starts_with("PATCH"); }) == 0);
}

TEST_CASE("a large blob goes up in PATCH chunks with their Content-Range", "[registry][client][push]") {
  Harness harness(100);
  std::string data(250, 'q');
  MemoryContentStore store;
  REQUIRE(store.write(data));
  std::vector<std::string> ranges;
  harness.intercept = [&](const HttpRequest& request) -> std::optional<sdk::Result<HttpResponse>> {
    if (request.method == "PATCH") ranges.push_back(header_of(request, "Content-Range"));
    return std::nullopt;
  };
  auto blob = descriptor_of(sdk::media_type::kOciLayer, data);
  REQUIRE(harness.client->push_blob(reference("reg.test/x/app"), blob, store));
  CHECK(ranges == std::vector<std::string>{"0-99", "100-199", "200-249"});
  CHECK(harness.fake.blobs["x/app"][blob.digest.str()] == data);
}

TEST_CASE("a blob the repository has is not uploaded again", "[registry][client][push]") {
  Harness harness;
  MemoryContentStore store;
  REQUIRE(store.write("data"));
  harness.fake.add_blob("x/app", "data");
  REQUIRE(
      harness.client->push_blob(reference("reg.test/x/app"), descriptor_of(sdk::media_type::kOciLayer, "data"), store));
  CHECK(harness.fake.log == std::vector<std::string>{"HEAD /v2/x/app/blobs/" + oci::sha256_of("data").str()});
}

TEST_CASE("a blob pulled from another repository of the registry is mounted, not uploaded",
          "[registry][client][push]") {
  Harness harness;
  harness.fake.add_blob("library/base", "base layer");
  MemoryContentStore store;
  auto blob = descriptor_of(sdk::media_type::kOciLayer, "base layer");
  REQUIRE(harness.client->pull_blob(reference("reg.test/library/base"), blob, store));
  harness.fake.log.clear();
  REQUIRE(harness.client->push_blob(reference("reg.test/x/app"), blob, store));
  REQUIRE(harness.fake.log.size() == 2);
  CHECK(harness.fake.log[1] == "POST /v2/x/app/blobs/uploads/?mount=" + blob.digest.str() + "&from=library/base");
  CHECK(harness.fake.blobs["x/app"].count(blob.digest.str()));
}

TEST_CASE("the blobs of a manifest fetched from a repository are mounted from it, their files never read",
          "[registry][client][push]") {
  Harness harness;
  Image cache("amd64", {"cached layer"});
  cache.serve_from(harness.fake, "cache/app");
  harness.fake.add_manifest("cache/app", "1", cache.manifest, sdk::media_type::kOciManifest);
  REQUIRE(harness.client->fetch_manifest(reference("reg.test/cache/app:1")));
  harness.fake.log.clear();
  MemoryContentStore store;  // without the blob: asking for its file would fail the push
  auto blob = descriptor_of(sdk::media_type::kOciLayer, cache.layers[0]);
  REQUIRE(harness.client->push_blob(reference("reg.test/x/app"), blob, store));
  CHECK(harness.fake.log == std::vector<std::string>{"HEAD /v2/x/app/blobs/" + blob.digest.str(),
                                                     "POST /v2/x/app/blobs/uploads/?mount=" + blob.digest.str() +
                                                         "&from=cache/app"});
}

TEST_CASE("an upload cut off half-way starts over in a new session", "[registry][client][push]") {
  Harness harness(100);
  std::string data(250, 'r');
  MemoryContentStore store;
  REQUIRE(store.write(data));
  int patches = 0;
  harness.intercept = [&](const HttpRequest& request) -> std::optional<sdk::Result<HttpResponse>> {
    if (request.method == "PATCH" && ++patches == 2)
      return sdk::Result<HttpResponse>(sdk::Status::unavailable("Send failure: Broken pipe"));
    return std::nullopt;
  };
  auto blob = descriptor_of(sdk::media_type::kOciLayer, data);
  REQUIRE(harness.client->push_blob(reference("reg.test/x/app"), blob, store));
  CHECK(std::count_if(harness.fake.log.begin(), harness.fake.log.end(),
                      [](const std::string& line) { return line.starts_with("POST"); }) == 2);
  CHECK(harness.fake.blobs["x/app"][blob.digest.str()] == data);
}

TEST_CASE("a push whose blob upload keeps failing leaves no tag behind", "[registry][client][push]") {
  Harness harness;
  Image image("amd64", {"layer"});
  MemoryContentStore store;
  image.store_in(store);
  harness.intercept = [](const HttpRequest& request) -> std::optional<sdk::Result<HttpResponse>> {
    if (request.method == "PUT" && request.url.find("/blobs/uploads/") != std::string::npos)
      return sdk::Result<HttpResponse>(respond(503));
    return std::nullopt;
  };
  auto pushed = harness.client->push_image(reference("reg.test/x/app:1"),
                                           descriptor_of(sdk::media_type::kOciManifest, image.manifest), store);
  REQUIRE_FALSE(pushed);
  CHECK(pushed.status().code() == sdk::Code::Unavailable);
  CHECK(pushed.status().to_string().find("pushing reg.test/x/app:1") != std::string::npos);
  CHECK(harness.fake.manifests["x/app"].empty());
}

TEST_CASE("a push of an image with a blob missing from the store fails before uploading anything",
          "[registry][client][push]") {
  Harness harness;
  Image image("amd64", {"layer"});
  MemoryContentStore store;
  REQUIRE(store.write(image.manifest));
  REQUIRE(store.write(image.config));
  auto pushed = harness.client->push_image(reference("reg.test/x/app:1"),
                                           descriptor_of(sdk::media_type::kOciManifest, image.manifest), store);
  REQUIRE_FALSE(pushed);
  CHECK(pushed.status().code() == sdk::Code::NotFound);
  CHECK(harness.fake.log.empty());
}

TEST_CASE("an index is pushed after its manifests, which are pushed by digest", "[registry][client][push]") {
  Harness harness;
  Image amd64("amd64", {"a"}), arm64("arm64", {"b"});
  MemoryContentStore store;
  amd64.store_in(store);
  arm64.store_in(store);
  oci::Index index;
  index.manifests = {descriptor_of(sdk::media_type::kOciManifest, amd64.manifest),
                     descriptor_of(sdk::media_type::kOciManifest, arm64.manifest)};
  auto index_json = oci::to_json(index);
  REQUIRE(store.write(index_json));
  auto pushed = harness.client->push_image(reference("reg.test/x/app:multi"),
                                           descriptor_of(sdk::media_type::kOciIndex, index_json), store);
  REQUIRE(pushed);
  std::vector<std::string> manifest_puts;
  for (const auto& line : harness.fake.log)
    if (line.starts_with("PUT /v2/x/app/manifests/")) manifest_puts.push_back(line.substr(24));
  CHECK(manifest_puts ==
        std::vector<std::string>{oci::sha256_of(amd64.manifest).str(), oci::sha256_of(arm64.manifest).str(), "multi"});
}
