// registry_push_pull_test.cpp: the registry client against Debian's docker-registry without auth:
// push and pull back, multi-platform indexes, mounts, tampered content refused, and a registry
// killed in the middle of a push; what the registry holds is checked with skopeo.
#include <catch2/catch.hpp>

#include <fstream>

#include "support/registry_fixture.hpp"

namespace fs = std::filesystem;
using namespace dbuild;
using test::CountingClient;
using test::LocalStore;
using test::reference;
using test::require_ok;
using test::TestImage;
using test::TestRegistry;

TEST_CASE("an image pushed to the registry pulls back into another store with the same digests",
          "[integration][registry]") {
  TestRegistry registry;
  LocalStore source, target;
  TestImage image("amd64", {test::random_bytes(300 * 1024, 1), "second layer"});
  image.write_to(*source.store);
  CountingClient client;
  auto ref = reference(registry.host() + "/dbuild/app:1");

  auto pushed = client->push_image(ref, image.descriptor, *source.store);
  INFO(pushed.status().to_string());
  REQUIRE(pushed);
  CHECK(pushed->digest == image.descriptor.digest);
  CHECK(test::skopeo_digest("docker://" + ref.str()) == image.descriptor.digest.str());

  auto resolved = client->resolve(ref);
  REQUIRE(resolved);
  CHECK(resolved->digest == image.descriptor.digest);
  CHECK(resolved->media_type == sdk::media_type::kOciManifest);

  std::vector<registry::TransferProgress> done;
  std::mutex mutex;
  registry::TransferOptions options;
  options.progress = [&](const registry::TransferProgress& progress) {
    std::lock_guard lock(mutex);
    if (progress.state == registry::TransferProgress::State::Done) done.push_back(progress);
  };
  auto pulled = client->pull_image(ref, {"linux", "amd64"}, *target.store, options);
  INFO(pulled.status().to_string());
  REQUIRE(pulled);
  CHECK(pulled->manifest.digest == image.descriptor.digest);
  CHECK(done.size() == 3);
  for (const auto& progress : done) CHECK(progress.current == progress.total);
  for (const auto& blob : {image.config, image.layers[0], image.layers[1], image.manifest}) {
    auto stored = target.store->read(oci::sha256_of(blob));
    REQUIRE(stored);
    CHECK(*stored == blob);
  }
}

TEST_CASE("a large layer goes up in chunks and skopeo copies every blob back", "[integration][registry]") {
  TestRegistry registry;
  LocalStore source;
  TestImage image("amd64", {test::random_bytes(3 * 1024 * 1024 + 17, 2)});
  image.write_to(*source.store);
  registry::ClientOptions options;
  options.chunk_size = 1024 * 1024;
  CountingClient client(options);
  auto ref = reference(registry.host() + "/dbuild/chunked:1");
  REQUIRE(client->push_image(ref, image.descriptor, *source.store));
  CHECK(client.count_matching("PATCH", "/blobs/uploads/") == 4);

  test::TempDir copy;
  auto copied =
      test::run_skopeo({"copy", "--src-tls-verify=false", "docker://" + ref.str(), "dir:" + copy.path().string()});
  INFO(copied.err);
  REQUIRE(copied.exit_code == 0);
  auto layer_file = copy.path() / oci::sha256_of(image.layers[0]).encoded();
  CHECK(fs::file_size(layer_file) == image.layers[0].size());
}

TEST_CASE("a multi-platform index is pushed and each platform resolves to its manifest", "[integration][registry]") {
  TestRegistry registry;
  LocalStore source, target;
  TestImage amd64("amd64", {"amd64 layer"}), arm64("arm64", {"arm64 layer"}), armv7("arm", {"arm layer"}, "v7");
  for (const auto* image : {&amd64, &arm64, &armv7}) image->write_to(*source.store);
  oci::Index index;
  index.manifests = {amd64.descriptor, arm64.descriptor, armv7.descriptor};
  auto index_json = oci::to_json(index);
  REQUIRE(source.store->write(index_json));
  auto root = TestImage::blob(sdk::media_type::kOciIndex, index_json);
  CountingClient client;
  auto ref = reference(registry.host() + "/dbuild/multi:1");
  require_ok(client->push_image(ref, root, *source.store).status());

  CHECK(test::skopeo_digest("docker://" + ref.str(), {"--override-arch", "arm64"}) == root.digest.str());
  auto raw = test::run_skopeo({"inspect", "--tls-verify=false", "--raw", "docker://" + ref.str()});
  REQUIRE(raw.exit_code == 0);
  CHECK(oci::sha256_of(raw.out) == root.digest);

  auto resolved = client->resolve(ref, sdk::Platform{"linux", "arm64"});
  REQUIRE(resolved);
  CHECK(resolved->digest == arm64.descriptor.digest);
  auto v8 = client->resolve(ref, sdk::Platform{"linux", "arm", "v8"});  // v8 runs v7
  REQUIRE(v8);
  CHECK(v8->digest == armv7.descriptor.digest);
  auto pulled = client->pull_image(ref, {"linux", "amd64"}, *target.store);
  REQUIRE(pulled);
  CHECK(pulled->root.digest == root.digest);
  CHECK(pulled->manifest.digest == amd64.descriptor.digest);
  CHECK(target.store->exists(oci::sha256_of("amd64 layer")));
  CHECK_FALSE(target.store->exists(oci::sha256_of("arm64 layer")));
}

TEST_CASE("blobs pulled from one repository are mounted into another, not uploaded", "[integration][registry]") {
  TestRegistry registry;
  LocalStore source, middle;
  TestImage image("amd64", {test::random_bytes(64 * 1024, 3)});
  image.write_to(*source.store);
  auto base = reference(registry.host() + "/library/base:1");
  {
    CountingClient pusher;
    REQUIRE(pusher->push_image(base, image.descriptor, *source.store));
  }
  CountingClient client;
  REQUIRE(client->pull_image(base, {"linux", "amd64"}, *middle.store));
  auto app = reference(registry.host() + "/dbuild/app:1");
  REQUIRE(client->push_image(app, image.descriptor, *middle.store));
  CHECK(client.count_matching("POST", "mount=") == 2);  // config and layer
  CHECK(client.count_matching("PUT", "/blobs/uploads/") == 0);
  CHECK(test::skopeo_digest("docker://" + app.str()) == image.descriptor.digest.str());
}

TEST_CASE("a manifest altered in the registry's storage is refused", "[integration][registry]") {
  TestRegistry registry;
  LocalStore source, target;
  TestImage image("amd64", {"layer"});
  image.write_to(*source.store);
  CountingClient client;
  auto ref = reference(registry.host() + "/dbuild/tampered:1");
  REQUIRE(client->push_image(ref, image.descriptor, *source.store));
  auto stored = registry.blob_data_path(image.descriptor.digest.str());
  REQUIRE(fs::exists(stored));
  // Another config digest, same length: still valid JSON, so only the digest check can tell.
  auto altered = image.manifest;
  auto hex = oci::sha256_of(image.config).encoded();
  auto at = altered.find(hex);
  REQUIRE(at != std::string::npos);
  altered[at] = altered[at] == '0' ? '1' : '0';
  std::ofstream(stored, std::ios::binary | std::ios::trunc) << altered;

  auto fetched = client->fetch_manifest(ref);
  REQUIRE_FALSE(fetched);
  CHECK(fetched.status().code() == sdk::Code::InvalidArgument);
  CHECK(fetched.status().message().find("does not match") != std::string::npos);
  auto pulled = client->pull_image(ref, {"linux", "amd64"}, *target.store);
  REQUIRE_FALSE(pulled);
  CHECK_FALSE(target.store->exists(image.descriptor.digest));
}

TEST_CASE("a layer altered in the registry's storage is refused and nothing is stored", "[integration][registry]") {
  TestRegistry registry;
  LocalStore source, target;
  auto layer = test::random_bytes(100 * 1024, 4);
  TestImage image("amd64", {layer});
  image.write_to(*source.store);
  CountingClient client;
  auto ref = reference(registry.host() + "/dbuild/tampered:1");
  REQUIRE(client->push_image(ref, image.descriptor, *source.store));
  auto digest = oci::sha256_of(layer);
  auto altered = layer;
  altered[500] = static_cast<char>(altered[500] ^ 0x5a);
  std::ofstream(registry.blob_data_path(digest.str()), std::ios::binary | std::ios::trunc) << altered;

  auto status = client->pull_blob(ref, TestImage::blob(sdk::media_type::kOciLayer, layer), *target.store);
  REQUIRE_FALSE(status);
  CHECK(status.code() == sdk::Code::InvalidArgument);
  CHECK(status.message().find("does not match its digest") != std::string::npos);
  CHECK_FALSE(target.store->exists(digest));
  auto usage = target.store->usage();
  REQUIRE(usage);
  CHECK(usage->blobs == 0);
}

TEST_CASE("a registry killed in the middle of a push fails it clearly, and after a restart a second push completes",
          "[integration][registry]") {
  TestRegistry registry;
  LocalStore source;
  TestImage image("amd64", {test::random_bytes(4 * 1024 * 1024, 5)});
  image.write_to(*source.store);
  auto ref = reference(registry.host() + "/dbuild/crash:1");
  registry::ClientOptions options;
  options.chunk_size = 512 * 1024;
  options.max_parallel_transfers = 1;
  {
    CountingClient client(options);
    std::atomic<bool> killed{false};
    registry::TransferOptions transfer;
    transfer.progress = [&](const registry::TransferProgress& progress) {
      if (progress.total > 1024 * 1024 && progress.current >= 1024 * 1024 && !killed.exchange(true)) registry.stop();
    };
    auto pushed = client->push_image(ref, image.descriptor, *source.store, transfer);
    REQUIRE(killed);
    REQUIRE_FALSE(pushed);
    CHECK(pushed.status().code() == sdk::Code::Unavailable);
    auto message = pushed.status().to_string();
    INFO(message);
    CHECK(message.find("pushing " + ref.str()) != std::string::npos);
    CHECK(message.find(registry.host()) != std::string::npos);
    CHECK(client.requests < 40);  // bounded retries, no storm
  }
  registry.start();
  auto missing = test::run_skopeo({"inspect", "--tls-verify=false", "docker://" + ref.str()});
  CHECK(missing.exit_code != 0);  // the tag was never written

  CountingClient client(options);
  auto pushed = client->push_image(ref, image.descriptor, *source.store);
  INFO(pushed.status().to_string());
  REQUIRE(pushed);
  test::TempDir copy;
  auto copied =
      test::run_skopeo({"copy", "--src-tls-verify=false", "docker://" + ref.str(), "dir:" + copy.path().string()});
  INFO(copied.err);
  CHECK(copied.exit_code == 0);  // every blob the tag names is there
}
