// blob_pull.cpp: pulling blobs (streamed into the content store, verified, resumed with Range
// after a dropped connection) and whole images (manifest, config, layers in parallel).
#include <fmt/format.h>

#include "oci/sha256.hpp"
#include "registry/client_core.hpp"
#include "registry/manifest_util.hpp"
#include "registry/parallel.hpp"
#include "registry/registry_client.hpp"
#include "registry/registry_errors.hpp"

namespace dbuild::registry {
namespace {

constexpr std::int64_t kProgressStep = 256 * 1024;

// One blob's download: the writer, what it holds, and how many tries made no progress.
class BlobDownload {
 public:
  BlobDownload(ClientCore& core, const oci::Reference& repository, const sdk::Descriptor& blob,
               sdk::ContentStore& store, const TransferOptions& options)
      : core_(core),
        repository_(repository),
        blob_(blob),
        store_(store),
        options_(options),
        where_(where_of(repository, blob.digest.str())) {}

  sdk::Status run();

 private:
  sdk::Status restart();
  bool receive(long status, std::string_view data);
  sdk::Result<bool> attempt();  // true: done; false: try again
  sdk::Status finish();
  void report(TransferProgress::State state) {
    if (options_.progress) options_.progress({blob_.digest, blob_.media_type, state, written_, blob_.size});
  }

  ClientCore& core_;
  const oci::Reference& repository_;
  const sdk::Descriptor& blob_;
  sdk::ContentStore& store_;
  const TransferOptions& options_;
  std::string where_;
  std::unique_ptr<sdk::BlobWriter> writer_;
  std::int64_t written_ = 0;
  std::int64_t reported_ = 0;
  std::int64_t resume_from_ = 0;
  bool restarted_this_try_ = false;
  sdk::Status sink_error_;
};

sdk::Status BlobDownload::restart() {
  auto writer = store_.writer();
  if (!writer) return writer.status();
  writer_ = std::move(*writer);
  written_ = 0;
  reported_ = 0;
  return sdk::Status::ok();
}

// A 200 to a Range request means the server sends everything again: start over.
bool BlobDownload::receive(long status, std::string_view data) {
  if (status == 200 && resume_from_ > 0 && !restarted_this_try_) {
    restarted_this_try_ = true;
    if (sink_error_ = restart(); !sink_error_) return false;
  }
  if (written_ + static_cast<std::int64_t>(data.size()) > blob_.size) {
    sink_error_ = sdk::Status::invalid_argument(
        fmt::format("{}: the registry sent more than the {} bytes the descriptor gives", where_, blob_.size));
    return false;
  }
  if (sink_error_ = writer_->write(data.data(), data.size()); !sink_error_) return false;
  written_ += static_cast<std::int64_t>(data.size());
  if (written_ - reported_ >= kProgressStep) {
    reported_ = written_;
    report(TransferProgress::State::Transferring);
  }
  return true;
}

sdk::Result<bool> BlobDownload::attempt() {
  HttpRequest request;
  request.url = fmt::format("/v2/{}/blobs/{}", repository_.path, blob_.digest.str());
  request.follow_redirects = true;
  request.stop = options_.stop;
  resume_from_ = written_;
  restarted_this_try_ = false;
  if (written_ > 0) request.headers.emplace_back("Range", fmt::format("bytes={}-", written_));
  request.on_body = [this](long status, std::string_view data) { return receive(status, data); };
  ClientCore::Call call{repository_.domain, {pull_scope(repository_.path)}, ClientCore::Retry::No};
  auto response = core_.send(call, request);
  if (!response) {
    if (!sink_error_.is_ok()) return sink_error_;
    return response.status();
  }
  if (response->status == 200 || response->status == 206) return true;
  if (response->status == 416) {  // our offset is past what the server has: start over
    if (auto status = restart(); !status) return status;
    return false;
  }
  return status_from_response(*response, repository_.domain);
}

sdk::Status BlobDownload::finish() {
  auto committed = writer_->commit(blob_.digest, blob_.size);
  if (!committed) {
    if (committed.status().code() == sdk::Code::InvalidArgument)
      return sdk::Status::invalid_argument(fmt::format("{}: the blob does not match its digest or size ({}); refused",
                                                       where_, committed.status().message()));
    return committed.status().with_context("storing " + where_);
  }
  report(TransferProgress::State::Done);
  return sdk::Status::ok();
}

sdk::Status BlobDownload::run() {
  if (auto status = restart(); !status) return status.with_context("pulling " + where_);
  const auto& policy = core_.options().retry;
  int fruitless = 0;
  for (int tries = 1;; ++tries) {
    auto before = written_;
    auto done = attempt();
    if (done && *done) return finish();
    if (done) continue;
    auto status = done.status();
    bool retryable = status.code() == sdk::Code::Unavailable && sink_error_.is_ok();
    fruitless = written_ > before ? 0 : fruitless + 1;
    // Progress resets the count (a flaky link still finishes); the total bounds it anyway.
    if (!retryable || fruitless >= policy.max_attempts || tries >= policy.max_attempts * 4)
      return status.with_context("pulling " + where_);
    core_.sleep(backoff_delay(policy, std::max(fruitless, 1)));
  }
}

}  // namespace

sdk::Status RegistryClient::pull_blob(const oci::Reference& repository, const sdk::Descriptor& blob,
                                      sdk::ContentStore& store, const TransferOptions& options) {
  if (store.exists(blob.digest)) {
    core_->locations().add(repository.domain, repository.path, blob.digest);
    if (options.progress)
      options.progress({blob.digest, blob.media_type, TransferProgress::State::Exists, blob.size, blob.size});
    return sdk::Status::ok();
  }
  BlobDownload download(*core_, repository, blob, store, options);
  if (auto status = download.run(); !status) return status;
  core_->locations().add(repository.domain, repository.path, blob.digest);
  return sdk::Status::ok();
}

// Configs are small and read whole; a sha256 digest is checked here, others are refused (the
// store, which checks them for pull_blob, is not involved).
sdk::Result<std::string> RegistryClient::fetch_blob(const oci::Reference& repository, const sdk::Descriptor& blob,
                                                    std::int64_t max_size) {
  auto where = where_of(repository, blob.digest.str());
  if (blob.size > max_size)
    return sdk::Status::invalid_argument(
        fmt::format("{}: the blob is {} bytes, more than the {} read into memory", where, blob.size, max_size));
  if (blob.digest.algorithm() != "sha256")
    return sdk::Status::invalid_argument(fmt::format("{}: unsupported digest algorithm", where));
  HttpRequest request;
  request.url = fmt::format("/v2/{}/blobs/{}", repository.path, blob.digest.str());
  request.follow_redirects = true;
  auto response = core_->send({repository.domain, {pull_scope(repository.path)}}, request);
  if (!response) return response.status().with_context("fetching " + where);
  if (response->status != 200)
    return status_from_response(*response, repository.domain).with_context("fetching " + where);
  if (static_cast<std::int64_t>(response->body.size()) != blob.size || oci::sha256_of(response->body) != blob.digest)
    return sdk::Status::invalid_argument(
        fmt::format("{}: the blob does not match its digest or size ({} bytes, {}); refused", where,
                    response->body.size(), oci::sha256_of(response->body).str()));
  core_->locations().add(repository.domain, repository.path, blob.digest);
  return std::move(response->body);
}

sdk::Result<PulledImage> RegistryClient::pull_image(const oci::Reference& reference, const sdk::Platform& platform,
                                                    sdk::ContentStore& store, const TransferOptions& options) {
  SaveLocationsAtEnd save{core_->locations()};
  auto what = "pulling " + reference.str();
  auto root = fetch_manifest(reference);
  if (!root) return root.status().with_context(what);
  if (auto stored = store.write(root->bytes, root->digest); !stored) return stored.status().with_context(what);
  PulledImage image;
  image.root = root->descriptor();
  image.manifest = image.root;
  std::string manifest_bytes = root->bytes;
  if (oci::is_index_type(root->media_type)) {
    auto chosen = resolve_platform(root->bytes, platform);
    if (!chosen) return chosen.status().with_context(what);
    auto manifest = fetch_manifest(reference, chosen->digest);
    if (!manifest) return manifest.status().with_context(what);
    if (auto stored = store.write(manifest->bytes, manifest->digest); !stored)
      return stored.status().with_context(what);
    image.manifest = *chosen;
    manifest_bytes = std::move(manifest->bytes);
  }
  auto parsed = oci::parse_manifest(manifest_bytes);
  if (!parsed) return parsed.status().with_context(what);
  image.parsed = std::move(*parsed);

  std::vector<sdk::Descriptor> blobs{image.parsed.config};
  blobs.insert(blobs.end(), image.parsed.layers.begin(), image.parsed.layers.end());
  auto status = run_bounded(blobs.size(), core_->options().max_parallel_transfers, options.stop,
                            [&](std::size_t index, std::stop_token stop) {
                              TransferOptions mine{options.progress, stop};
                              return pull_blob(reference, blobs[index], store, mine);
                            });
  if (!status) return status.with_context(what);
  return image;
}

}  // namespace dbuild::registry
