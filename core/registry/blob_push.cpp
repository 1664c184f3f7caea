// blob_push.cpp: pushing blobs (HEAD first, cross-repository mount, monolithic or chunked
// upload, a fresh upload session after a failure), and copying a blob between repositories.
#include <fmt/format.h>

#include "oci/image_format.hpp"
#include "registry/client_core.hpp"
#include "registry/manifest_util.hpp"
#include "registry/parallel.hpp"
#include "registry/registry_client.hpp"
#include "registry/registry_errors.hpp"
#include "registry/url.hpp"

namespace dbuild::registry {
namespace {

using Core = ClientCore;

// One blob's upload into one repository.
class BlobUpload {
 public:
  BlobUpload(Core& core, const oci::Reference& repository, const sdk::Descriptor& blob, std::filesystem::path file,
             const TransferOptions& options)
      : core_(core),
        repository_(repository),
        blob_(blob),
        file_(std::move(file)),
        options_(options),
        where_(where_of(repository, blob.digest.str())) {}

  sdk::Result<bool> exists();                              // HEAD
  sdk::Result<bool> try_mount(const std::string& source);  // true: mounted; false: upload_url_ set or not
  sdk::Status upload();                                    // with fresh sessions after failures
  [[nodiscard]] const std::string& where() const { return where_; }
  void use_file(std::filesystem::path file) { file_ = std::move(file); }

 private:
  Core::Call call(Core::Retry retry = Core::Retry::Yes) const {
    return {repository_.domain, {push_scope(repository_.path)}, retry};
  }
  sdk::Status start_session();
  sdk::Status send_whole();
  sdk::Status send_chunks();
  sdk::Status take_location(const HttpResponse& response);
  void report(TransferProgress::State state, std::int64_t current) {
    if (options_.progress) options_.progress({blob_.digest, blob_.media_type, state, current, blob_.size});
  }

  Core& core_;
  const oci::Reference& repository_;
  const sdk::Descriptor& blob_;
  std::filesystem::path file_;
  const TransferOptions& options_;
  std::string where_;
  std::string upload_url_;  // the session's Location, updated after each chunk
};

sdk::Result<bool> BlobUpload::exists() {
  HttpRequest request;
  request.method = "HEAD";
  request.url = fmt::format("/v2/{}/blobs/{}", repository_.path, blob_.digest.str());
  auto response = core_.send(call(), request);
  if (!response) return response.status();
  if (response->status == 200) return true;
  if (response->status == 404) return false;
  return status_from_response(*response, repository_.domain);
}

sdk::Status BlobUpload::take_location(const HttpResponse& response) {
  auto location = response.header("location");
  if (location.empty())
    return sdk::Status::unavailable(
        fmt::format("{}: the registry answered {} without a Location", repository_.domain, response.status));
  upload_url_ = resolve_location(core_.base_url(repository_.domain), location);
  return sdk::Status::ok();
}

// 201: the registry linked the blob from `source`; 202: it did not, and opened an upload.
sdk::Result<bool> BlobUpload::try_mount(const std::string& source) {
  HttpRequest request;
  request.method = "POST";
  request.url = fmt::format("/v2/{}/blobs/uploads/?mount={}&from={}", repository_.path, blob_.digest.str(), source);
  auto mount_call = call();
  mount_call.scopes.push_back(pull_scope(source));
  auto response = core_.send(mount_call, request);
  if (!response) return response.status();
  if (response->status == 201) return true;
  if (response->status == 202)
    if (auto status = take_location(*response); !status) return status;
  return false;
}

sdk::Status BlobUpload::start_session() {
  HttpRequest request;
  request.method = "POST";
  request.url = fmt::format("/v2/{}/blobs/uploads/", repository_.path);
  auto response = core_.send(call(), request);
  if (!response) return response.status();
  if (response->status != 202) return status_from_response(*response, repository_.domain);
  return take_location(*response);
}

sdk::Status BlobUpload::send_whole() {
  HttpRequest request;
  request.method = "PUT";
  request.url = add_query(upload_url_, "digest", blob_.digest.str());
  request.headers.emplace_back("Content-Type", "application/octet-stream");
  request.body_file = FileBody{file_, 0, blob_.size};
  request.stop = options_.stop;
  request.on_upload = [this](std::int64_t sent) { report(TransferProgress::State::Transferring, sent); };
  auto response = core_.send(call(Core::Retry::No), request);
  if (!response) return response.status();
  if (response->status != 201) return status_from_response(*response, repository_.domain);
  return sdk::Status::ok();
}

sdk::Status BlobUpload::send_chunks() {
  const auto chunk = std::max<std::int64_t>(core_.options().chunk_size, 1);
  for (std::int64_t offset = 0; offset < blob_.size; offset += chunk) {
    auto length = std::min(chunk, blob_.size - offset);
    HttpRequest request;
    request.method = "PATCH";
    request.url = upload_url_;
    request.headers.emplace_back("Content-Type", "application/octet-stream");
    request.headers.emplace_back("Content-Range", fmt::format("{}-{}", offset, offset + length - 1));
    request.body_file = FileBody{file_, offset, length};
    request.stop = options_.stop;
    request.on_upload = [this, offset](std::int64_t sent) {
      report(TransferProgress::State::Transferring, offset + sent);
    };
    auto response = core_.send(call(Core::Retry::No), request);
    if (!response) return response.status();
    if (response->status != 202) return status_from_response(*response, repository_.domain);
    if (auto status = take_location(*response); !status) return status;
    report(TransferProgress::State::Transferring, offset + length);
  }
  HttpRequest close;
  close.method = "PUT";
  close.url = add_query(upload_url_, "digest", blob_.digest.str());
  auto response = core_.send(call(Core::Retry::No), close);
  if (!response) return response.status();
  if (response->status != 201) return status_from_response(*response, repository_.domain);
  return sdk::Status::ok();
}

// An upload that failed half-way is not resumed: its session may be gone (a restarted registry
// forgets them), so a retry starts a new one. The registry keeps nothing of a blob until the
// final PUT has checked its digest. Starting a session has its own retries; when even that
// fails, the registry is down and trying on would only multiply the waits.
sdk::Status BlobUpload::upload() {
  const auto& policy = core_.options().retry;
  for (int attempt = 1;; ++attempt) {
    if (upload_url_.empty())
      if (auto status = start_session(); !status) return status;
    auto status = blob_.size <= core_.options().chunk_size ? send_whole() : send_chunks();
    if (status) {
      report(TransferProgress::State::Done, blob_.size);
      return status;
    }
    upload_url_.clear();
    bool retryable = status.code() == sdk::Code::Unavailable;
    if (!retryable || attempt >= policy.max_attempts) return status;
    core_.sleep(backoff_delay(policy, attempt));
  }
}

// HEAD, then a mount from `source` (a repository of the same registry) when there is one: true
// when the repository now has the blob. A refused mount leaves `upload` with the session the
// registry opened instead.
sdk::Result<bool> present_or_mounted(Core& core, BlobUpload& upload, const oci::Reference& repository,
                                     const sdk::Descriptor& blob, const std::optional<std::string>& source,
                                     const TransferOptions& options) {
  auto report = [&](TransferProgress::State state) {
    if (options.progress) options.progress({blob.digest, blob.media_type, state, blob.size, blob.size});
  };
  auto exists = upload.exists();
  if (!exists) return exists.status();
  if (*exists) {
    core.locations().add(repository.domain, repository.path, blob.digest);
    report(TransferProgress::State::Exists);
    return true;
  }
  if (!source) return false;
  auto mounted = upload.try_mount(*source);
  if (!mounted || !*mounted) return false;
  core.locations().add(repository.domain, repository.path, blob.digest);
  report(TransferProgress::State::Mounted);
  return true;
}

}  // namespace

sdk::Status RegistryClient::push_blob(const oci::Reference& repository, const sdk::Descriptor& blob,
                                      sdk::ContentStore& store, const TransferOptions& options) {
  auto where = where_of(repository, blob.digest.str());
  BlobUpload upload(*core_, repository, blob, {}, options);
  auto source = core_->locations().find(repository.domain, blob.digest, repository.path);
  auto present = present_or_mounted(*core_, upload, repository, blob, source, options);
  if (!present) return present.status().with_context("pushing " + where);
  if (*present) return sdk::Status::ok();
  auto file = store.path(blob.digest);
  if (!file) return file.status().with_context("pushing " + where);
  upload.use_file(*file);
  if (auto status = upload.upload(); !status) return status.with_context("pushing " + where);
  core_->locations().add(repository.domain, repository.path, blob.digest);
  return sdk::Status::ok();
}

sdk::Status RegistryClient::copy_blob(const oci::Reference& from, const oci::Reference& to, const sdk::Descriptor& blob,
                                      sdk::ContentStore& scratch, const TransferOptions& options) {
  auto where = where_of(to, blob.digest.str());
  BlobUpload upload(*core_, to, blob, {}, options);
  std::optional<std::string> source;
  if (from.domain == to.domain && from.path != to.path) source = from.path;
  auto present = present_or_mounted(*core_, upload, to, blob, source, options);
  if (!present) return present.status().with_context("copying to " + where);
  if (*present) return sdk::Status::ok();
  if (auto status = pull_blob(from, blob, scratch, options); !status) return status.with_context("copying to " + where);
  auto file = scratch.path(blob.digest);
  if (!file) return file.status().with_context("copying to " + where);
  upload.use_file(*file);
  if (auto status = upload.upload(); !status) return status.with_context("pushing " + where);
  core_->locations().add(to.domain, to.path, blob.digest);
  return sdk::Status::ok();
}

}  // namespace dbuild::registry
