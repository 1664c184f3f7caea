// fake_registry.hpp: an in-memory distribution API (blobs, manifests, upload sessions, mounts)
// behind the FakeTransport, for unit tests of the client's pull and push logic. The real
// registry is tested in tests/integration/registry_*.
#pragma once

#include <fstream>
#include <map>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include "fake_transport.hpp"
#include "oci/sha256.hpp"

namespace dbuild::test {

class FakeRegistry {
 public:
  // repository -> digest -> bytes; manifests also by tag.
  std::map<std::string, std::map<std::string, std::string>> blobs;
  std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> manifests;  // (bytes, media type)
  std::map<std::string, std::string> uploads;  // session id -> bytes so far
  std::vector<std::string> log;                // "METHOD path" in order

  sdk::Result<registry::HttpResponse> handle(const registry::HttpRequest& request) {
    std::lock_guard lock(mutex_);
    auto path = request.url.substr(request.url.find('/', request.url.find("://") + 3));
    auto query_at = path.find('?');
    auto query = query_at == std::string::npos ? std::string() : path.substr(query_at + 1);
    path = path.substr(0, query_at);
    log.push_back(request.method + " " + path + (query.empty() ? "" : "?" + query));
    if (path == "/v2/") return respond(200, "{}");
    auto blobs_at = path.find("/blobs/");
    auto manifests_at = path.find("/manifests/");
    if (path.find("/blobs/uploads/") != std::string::npos) return upload(request, path, query);
    if (blobs_at != std::string::npos) return blob(request, path.substr(4, blobs_at - 4), path.substr(blobs_at + 7));
    if (manifests_at != std::string::npos)
      return manifest(request, path.substr(4, manifests_at - 4), path.substr(manifests_at + 11));
    return respond(404);
  }

  void add_blob(const std::string& repository, const std::string& data) {
    blobs[repository][oci::sha256_of(data).str()] = data;
  }
  void add_manifest(const std::string& repository, const std::string& tag, const std::string& bytes,
                    const std::string& media_type) {
    manifests[repository][tag] = {bytes, media_type};
    manifests[repository][oci::sha256_of(bytes).str()] = {bytes, media_type};
  }

 private:
  static std::string param(const std::string& query, const std::string& name) {
    auto at = query.find(name + "=");
    if (at == std::string::npos) return {};
    auto value = query.substr(at + name.size() + 1);
    value = value.substr(0, value.find('&'));
    for (std::size_t i; (i = value.find("%3A")) != std::string::npos;) value.replace(i, 3, ":");
    return value;
  }

  registry::HttpResponse blob(const registry::HttpRequest& request, const std::string& repository,
                              const std::string& digest) {
    auto found = blobs[repository].find(digest);
    if (found == blobs[repository].end())
      return respond(404, R"({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]})");
    if (request.method == "HEAD") return respond(200, {}, {{"content-length", std::to_string(found->second.size())}});
    return respond(200, found->second);
  }

  registry::HttpResponse manifest(const registry::HttpRequest& request, const std::string& repository,
                                  const std::string& reference) {
    if (request.method == "PUT") {
      add_manifest(repository, reference, request.body, header_of(request, "Content-Type"));
      return respond(201, {}, {{"docker-content-digest", oci::sha256_of(request.body).str()}});
    }
    auto found = manifests[repository].find(reference);
    if (found == manifests[repository].end())
      return respond(404, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})");
    const auto& [bytes, media_type] = found->second;
    registry::HttpResponse response = respond(200, request.method == "HEAD" ? "" : bytes);
    response.headers = {{"content-type", media_type},
                        {"docker-content-digest", oci::sha256_of(bytes).str()},
                        {"content-length", std::to_string(bytes.size())}};
    return response;
  }

  registry::HttpResponse upload(const registry::HttpRequest& request, const std::string& path,
                                const std::string& query) {
    auto repository = path.substr(4, path.find("/blobs/uploads/") - 4);
    if (request.method == "POST") {
      auto mount = param(query, "mount");
      auto from = param(query, "from");
      if (!mount.empty() && blobs[from].count(mount)) {
        blobs[repository][mount] = blobs[from][mount];
        return respond(201);
      }
      auto id = "u" + std::to_string(next_id_++);
      uploads[id] = "";
      return respond(202, {}, {{"location", fmt::format("/v2/{}/blobs/uploads/{}", repository, id)}});
    }
    auto id = path.substr(path.rfind('/') + 1);
    if (!uploads.count(id)) return respond(404, R"({"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]})");
    auto body = request.body_file ? read_part(*request.body_file) : request.body;
    uploads[id] += body;
    if (request.method == "PATCH")
      return respond(202, {},
                     {{"location", fmt::format("/v2/{}/blobs/uploads/{}", repository, id)},
                      {"range", fmt::format("0-{}", uploads[id].size() - 1)}});
    auto digest = param(query, "digest");
    if (oci::sha256_of(uploads[id]).str() != digest) return respond(400, R"({"errors":[{"code":"DIGEST_INVALID"}]})");
    blobs[repository][digest] = uploads[id];
    uploads.erase(id);
    return respond(201);
  }

  static std::string read_part(const registry::FileBody& body) {
    std::ifstream in(body.path, std::ios::binary);
    in.seekg(body.offset);
    std::string data(static_cast<std::size_t>(body.length), '\0');
    in.read(data.data(), body.length);
    return data;
  }

  std::mutex mutex_;
  int next_id_ = 1;
};

}  // namespace dbuild::test
