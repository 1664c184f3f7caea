// registry_client.cpp: the client's construction, and manifests: resolving references,
// fetching (verified), choosing a platform, pushing; and the login check. Blob transfers are in
// blob_pull.cpp and blob_push.cpp, the request machinery in client_core.cpp.
#include "registry/registry_client.hpp"

#include <fmt/format.h>

#include "oci/sha256.hpp"
#include "registry/client_core.hpp"
#include "registry/manifest_util.hpp"
#include "registry/registry_errors.hpp"

namespace dbuild::registry {
namespace {

using Call = ClientCore::Call;

sdk::Result<FetchedManifest> read_manifest_response(const HttpResponse& response, const oci::Reference& repository,
                                                    const std::string& reference,
                                                    const std::optional<sdk::Digest>& expected) {
  auto where = where_of(repository, reference);
  // As resolve() says it: the reference is what the user needs to see, not the registry's code.
  if (response.status == 404) return sdk::Status::not_found(fmt::format("{}: not found", where));
  if (response.status != 200)
    return status_from_response(response, repository.domain).with_context("fetching " + where);
  FetchedManifest fetched;
  fetched.bytes = response.body;
  fetched.digest = oci::sha256_of(fetched.bytes);
  if (expected && *expected != fetched.digest)
    return sdk::Status::invalid_argument(fmt::format("{}: the manifest does not match its digest {}: its content is {}",
                                                     where, expected->str(), fetched.digest.str()));
  if (auto claimed = sdk::Digest::parse(response.header("docker-content-digest"));
      claimed && claimed->algorithm() == "sha256" && *claimed != fetched.digest)
    return sdk::Status::invalid_argument(
        fmt::format("{}: the manifest does not match the digest the registry gives for it ({}): its content is {}",
                    where, claimed->str(), fetched.digest.str()));
  auto media_type = manifest_media_type(response.header("content-type"), fetched.bytes);
  if (!media_type) return media_type.status().with_context("fetching " + where);
  fetched.media_type = *media_type;
  return fetched;
}

}  // namespace

std::string manifest_accept_header() {
  return fmt::format("{}, {}, {}, {}", sdk::media_type::kOciIndex, sdk::media_type::kOciManifest,
                     sdk::media_type::kDockerManifestList, sdk::media_type::kDockerManifest);
}

RegistryClient::RegistryClient(ClientOptions options, std::unique_ptr<HttpTransport> transport)
    : core_(std::make_unique<ClientCore>(std::move(options), std::move(transport))) {}

RegistryClient::~RegistryClient() { core_->locations().flush(); }

void RegistryClient::use_location_store(BlobLocationStore* store) { core_->locations().use_store(store); }

void RegistryClient::save_blob_locations() { core_->locations().flush(); }

void RegistryClient::note_blob_location(const oci::Reference& repository, const sdk::Digest& digest) {
  core_->locations().add(repository.domain, repository.path, digest);
}

sdk::Result<FetchedManifest> RegistryClient::fetch_manifest(const oci::Reference& reference) {
  if (!reference.digest.empty()) {
    auto digest = sdk::Digest::parse(reference.digest);
    if (!digest) return digest.status();
    return fetch_manifest(reference, *digest);
  }
  HttpRequest request;
  request.url = fmt::format("/v2/{}/manifests/{}", reference.path, reference.tag);
  request.headers.emplace_back("Accept", manifest_accept_header());
  auto response = core_->send({reference.domain, {pull_scope(reference.path)}}, request);
  if (!response) return response.status().with_context("fetching " + where_of(reference, reference.tag));
  return note_named_blobs(reference, read_manifest_response(*response, reference, reference.tag, std::nullopt));
}

sdk::Result<FetchedManifest> RegistryClient::fetch_manifest(const oci::Reference& repository,
                                                            const sdk::Digest& digest) {
  HttpRequest request;
  request.url = fmt::format("/v2/{}/manifests/{}", repository.path, digest.str());
  request.headers.emplace_back("Accept", manifest_accept_header());
  auto response = core_->send({repository.domain, {pull_scope(repository.path)}}, request);
  if (!response) return response.status().with_context("fetching " + where_of(repository, digest.str()));
  return note_named_blobs(repository, read_manifest_response(*response, repository, digest.str(), digest));
}

// A registry takes a manifest only when the repository holds the blobs it names, so a manifest
// read from a repository says where those blobs are: an image pushed to another repository of
// the same registry mounts them from there (a build cache's layers, without downloading them).
sdk::Result<FetchedManifest> RegistryClient::note_named_blobs(const oci::Reference& repository,
                                                              sdk::Result<FetchedManifest> fetched) {
  if (!fetched) return fetched;
  for (const auto& blob : named_blobs(fetched->media_type, fetched->bytes))
    core_->locations().add(repository.domain, repository.path, blob.digest);
  return fetched;
}

sdk::Result<sdk::Descriptor> RegistryClient::resolve_platform(std::string_view index_json,
                                                              const sdk::Platform& platform) {
  auto index = oci::parse_index(index_json);
  if (!index) return index.status();
  auto chosen = oci::select_platform(*index, platform);
  if (chosen) return index->manifests[*chosen];
  std::string present;
  for (const auto& entry : index->manifests) {
    if (!entry.platform) continue;
    if (!present.empty()) present += ", ";
    present += entry.platform->str();
  }
  return sdk::Status::not_found(fmt::format("no manifest for platform {} in the index (it has: {})", platform.str(),
                                            present.empty() ? "none" : present));
}

// HEAD answers with the digest, type and size without the body; registries that do not
// (or proxies that drop the headers) are asked with GET, and then the body is verified.
sdk::Result<sdk::Descriptor> RegistryClient::resolve(const oci::Reference& reference,
                                                     const std::optional<sdk::Platform>& platform) {
  auto name = reference.digest.empty() ? reference.tag : reference.digest;
  HttpRequest request;
  request.method = "HEAD";
  request.url = fmt::format("/v2/{}/manifests/{}", reference.path, name);
  request.headers.emplace_back("Accept", manifest_accept_header());
  auto head = core_->send({reference.domain, {pull_scope(reference.path)}}, request);
  if (!head) return head.status().with_context("resolving " + where_of(reference, name));
  if (head->status == 404) return sdk::Status::not_found(fmt::format("{}: not found", where_of(reference, name)));
  // Already retried: a GET would only repeat the waits.
  if (is_retryable_status(head->status))
    return status_from_response(*head, reference.domain).with_context("resolving " + where_of(reference, name));
  std::optional<sdk::Descriptor> descriptor = descriptor_from_head(*head, reference.digest);
  std::optional<FetchedManifest> fetched;
  if (!descriptor) {
    auto got = fetch_manifest(reference);
    if (!got) return got.status();
    descriptor = got->descriptor();
    fetched = std::move(*got);
  }
  if (!platform || !oci::is_index_type(descriptor->media_type)) return *descriptor;
  if (!fetched) {
    auto got = fetch_manifest(reference, descriptor->digest);
    if (!got) return got.status();
    fetched = std::move(*got);
  }
  auto chosen = resolve_platform(fetched->bytes, *platform);
  if (!chosen) return chosen.status().with_context("resolving " + where_of(reference, name));
  return chosen;
}

sdk::Result<sdk::Descriptor> RegistryClient::push_manifest(const oci::Reference& reference, std::string_view bytes,
                                                           std::string_view media_type) {
  sdk::Descriptor descriptor{std::string(media_type), oci::sha256_of(bytes), static_cast<std::int64_t>(bytes.size())};
  auto name = reference.tag.empty() ? descriptor.digest.str() : reference.tag;
  auto where = where_of(reference, name);
  if (!reference.digest.empty() && reference.digest != descriptor.digest.str())
    return sdk::Status::invalid_argument(fmt::format("pushing {}: the manifest's digest is {}",
                                                     where_of(reference, reference.digest), descriptor.digest.str()));
  HttpRequest request;
  request.method = "PUT";
  request.url = fmt::format("/v2/{}/manifests/{}", reference.path, name);
  request.headers.emplace_back("Content-Type", std::string(media_type));
  request.body = std::string(bytes);
  auto response = core_->send({reference.domain, {push_scope(reference.path)}}, request);
  if (!response) return response.status().with_context("pushing " + where);
  if (response->status != 201 && response->status != 200 && response->status != 202)
    return status_from_response(*response, reference.domain).with_context("pushing " + where);
  return descriptor;
}

sdk::Status RegistryClient::check_login(std::string_view registry, const Credentials& credentials) {
  StaticCredentials provider(credentials);
  auto auth = core_->make_authenticator(&provider);
  HttpRequest request;
  request.url = "/v2/";
  std::string domain = normalize_registry(registry);
  auto response = core_->send({domain, {}}, request, auth.get());
  if (!response) return response.status().with_context("logging in to " + domain);
  if (response->status != 200) return status_from_response(*response, domain).with_context("logging in to " + domain);
  // A bearer registry answers /v2/ after the token; one that never challenged accepts anyone,
  // as `docker login` also reports success there.
  return sdk::Status::ok();
}

}  // namespace dbuild::registry
