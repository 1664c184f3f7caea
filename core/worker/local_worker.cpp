// local_worker.cpp: sources (image store, OCI layouts, local directories), cache identities and
// the checks shared by the op implementations in exec_op.cpp and file_op.cpp.
#include "worker/local_worker.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "content/local_content_store.hpp"
#include "context/checksum.hpp"
#include "image/image_store.hpp"
#include "image/layer_blobs.hpp"
#include "image/layer_unpack.hpp"
#include "oci/reference.hpp"
#include "os/unique_fd.hpp"
#include "snapshot/snapshotter.hpp"
#include "worker/registry_pull.hpp"

namespace dbuild::worker {
namespace {

namespace fs = std::filesystem;

std::string platform_text(const sdk::SourceOp& op, const sdk::Platform& fallback) {
  return (op.platform ? *op.platform : fallback).str();
}

}  // namespace

LocalWorker::LocalWorker(WorkerServices services, WorkerConfig config)
    : services_(services), config_(std::move(config)) {}

LocalWorker::~LocalWorker() = default;

// The image store first (unless --pull), then the content store for a digest, then the registry.
sdk::Result<LocalWorker::NamedImage> LocalWorker::resolve_named_image(const oci::Reference& reference,
                                                                      const sdk::Platform& platform) {
  if (!config_.pull) {
    if (auto stored = services_.images.get(reference.str())) {
      auto image = read_stored_image(stored->manifest, services_.content);
      if (!image) return image.status();
      if (*image) return NamedImage{std::move(**image), false};
    }
  }
  auto local = resolve_from_content(reference, platform, services_.build_content);
  if (!local) return local.status();
  if (*local) return NamedImage{std::move(**local), false};
  auto pulled = resolve_from_registry(services_.registry, reference, platform, services_.build_content);
  if (!pulled) {
    if (pulled.status().code() == sdk::Code::NotFound && !config_.pull)
      return pulled.status().with_hint("dbuild images lists the local image store; oci-layout://PATH names a layout");
    return pulled.status();
  }
  return NamedImage{std::move(*pulled), true};
}

std::string LocalWorker::image_key(const sdk::SourceOp& op) const {
  return op.identifier + "|" + platform_text(op, config_.platform);
}

sdk::Result<image::ResolvedImage> LocalWorker::resolve_image(const sdk::SourceOp& op) {
  const std::string key = image_key(op);
  {
    std::lock_guard lock(mutex_);
    if (auto found = resolved_.find(key); found != resolved_.end()) return found->second;
  }
  const sdk::Platform platform = op.platform ? *op.platform : config_.platform;
  sdk::Result<image::ResolvedImage> resolved = sdk::Status::internal("unresolved");
  if (op.kind == sdk::SourceKind::OciLayout) {
    auto ref = image::parse_layout_ref(op.identifier);
    if (!ref) return ref.status();
    resolved = image::resolve_oci_layout(*ref, platform, services_.build_content);
  } else {
    auto reference = oci::parse_reference(op.identifier);
    if (!reference) return reference.status();
    auto named = resolve_named_image(*reference, platform);
    if (!named) return named.status();
    if (named->from_registry) {
      std::lock_guard lock(mutex_);
      from_registry_.insert_or_assign(key, *reference);
    }
    resolved = std::move(named->image);
  }
  if (!resolved) return resolved.status();
  std::lock_guard lock(mutex_);
  resolved_[key] = *resolved;
  return resolved;
}

sdk::Result<std::string> LocalWorker::source_identity(const sdk::SourceOp& op) {
  switch (op.kind) {
    case sdk::SourceKind::Local: {
      if (!config_.local_dirs.count(op.identifier))
        return sdk::Status::not_found("the client sent no directory named \"" + op.identifier + "\"");
      std::string identity = "local:" + op.identifier;
      if (auto client = config_.local_excludes.find(op.identifier); client != config_.local_excludes.end())
        for (const auto& pattern : client->second) identity += "\n!" + pattern;
      return identity;
    }
    case sdk::SourceKind::Image:
    case sdk::SourceKind::OciLayout: {
      auto resolved = resolve_image(op);
      if (!resolved) return resolved.status();
      return resolved->manifest.digest.str() + " " + platform_text(op, config_.platform);
    }
    case sdk::SourceKind::Http: {
      // A given checksum is the content's identity; without one the body must be fetched.
      if (auto checksum = op.attributes.find("checksum"); checksum != op.attributes.end())
        return "http " + op.identifier + " " + checksum->second;
      auto fetched = fetch(op.identifier, {});
      if (!fetched) return fetched.status();
      return "http " + op.identifier + " " + fetched->digest;
    }
    case sdk::SourceKind::Git:
      break;
  }
  return sdk::Status::unimplemented("git sources are not supported yet");
}

sdk::Result<Download> LocalWorker::fetch(const std::string& url, std::stop_token stop) {
  std::lock_guard lock(downloads_mutex_);
  if (auto found = downloads_.find(url); found != downloads_.end()) return found->second;
  std::error_code error;
  fs::create_directories(config_.scratch_dir / "downloads", error);
  auto file = config_.scratch_dir / "downloads" / std::to_string(downloads_.size());
  auto fetched = download(url, file, stop);
  if (!fetched) return fetched.status();
  downloads_[url] = *fetched;
  return fetched;
}

sdk::Result<solver::VertexResult> LocalWorker::http_source(const sdk::SourceOp& op, const solver::VertexContext& context) {
  auto fetched = fetch(op.identifier, context.stop);
  if (!fetched) return fetched.status();
  if (auto checksum = op.attributes.find("checksum"); checksum != op.attributes.end() && checksum->second != fetched->digest)
    return sdk::Status::invalid_argument("checksum mismatch for " + op.identifier + ": expected " + checksum->second +
                                         ", got " + fetched->digest);
  context.status("downloaded " + op.identifier, fetched->size, fetched->size);
  auto active = services_.snapshots.prepare(std::nullopt);
  if (!active) return active.status();
  auto name = op.attributes.count("filename") ? op.attributes.at("filename") : std::string("download");
  auto target = (*active)->root() / name;
  std::error_code error;
  fs::copy_file(fetched->file, target, fs::copy_options::overwrite_existing, error);
  if (error) return sdk::Status::unavailable("storing " + op.identifier + ": " + error.message());
  // Docker gives downloaded files mode 600 and the server's Last-Modified time.
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, error);
  if (fetched->last_modified) {
    struct timespec times[2] = {{*fetched->last_modified, 0}, {*fetched->last_modified, 0}};
    ::utimensat(AT_FDCWD, target.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
  auto committed = services_.snapshots.commit(std::move(*active));
  if (!committed) return committed.status();
  return solver::VertexResult{*committed, {}, {}, {}};
}

sdk::Result<solver::LocalChecksum> LocalWorker::local_checksum(const solver::VertexResult& local,
                                                     const solver::LocalSelection& selection) {
  return context::checksum_selection(services_.checksums, local.local_dir, local.include_patterns,
                                     local.exclude_patterns, selection);
}

sdk::Result<solver::VertexResult> LocalWorker::unpack_image(const sdk::SourceOp& op,
                                                            const solver::VertexContext& context) {
  auto resolved = resolve_image(op);
  if (!resolved) return resolved.status();
  std::optional<oci::Reference> registry_reference;
  {
    std::lock_guard lock(mutex_);
    if (auto found = from_registry_.find(image_key(op)); found != from_registry_.end()) registry_reference = found->second;
  }
  if (registry_reference) {
    if (auto status = pull_layers(services_.registry, *registry_reference, *resolved, services_.build_content, context);
        !status)
      return status;
    // Remembered under its name, as `docker pull` does: later builds need no registry (--pull asks again).
    if (!registry_reference->tag.empty()) {
      std::vector<sdk::Descriptor> blobs = resolved->parsed.layers;
      blobs.push_back(resolved->parsed.config);
      if (auto status = services_.images.put(registry_reference->str(), resolved->manifest, blobs); !status)
        return status.with_context("naming the pulled " + registry_reference->familiar());
    }
  }
  const auto chain_ids = oci::chain_ids(resolved->diff_ids);
  std::vector<image::StackLayer> layers;
  for (std::size_t i = 0; i < chain_ids.size(); ++i)
    layers.push_back({chain_ids[i], resolved->diff_ids[i], resolved->parsed.layers[i]});
  image::UnpackHooks hooks;
  hooks.progress = [&context](const std::string& id, std::int64_t done, std::int64_t total) {
    context.status(id, done, total);
  };
  hooks.stop = context.stop;
  if (op.kind == sdk::SourceKind::OciLayout) {
    // A layout's blobs are imported all at once, and only when some layer must be unpacked.
    auto imported = std::make_shared<bool>(false);
    hooks.fetch = [&, imported](std::size_t) -> sdk::Status {
      if (*imported) return sdk::Status::ok();
      auto ref = image::parse_layout_ref(op.identifier);
      if (!ref) return ref.status();
      if (auto status = image::import_layers(*ref, *resolved, services_.build_content); !status) return status;
      *imported = true;
      return sdk::Status::ok();
    };
  }
  auto top = image::unpack_stack(services_.snapshots, services_.build_content, services_.layer_blobs, layers, hooks);
  if (!top) return top.status();
  return solver::VertexResult{*top, {}, {}, {}};
}

sdk::Result<solver::VertexResult> LocalWorker::source(const sdk::SourceOp& op, const solver::VertexContext& context) {
  switch (op.kind) {
    case sdk::SourceKind::Local: {
      auto found = config_.local_dirs.find(op.identifier);
      if (found == config_.local_dirs.end())
        return sdk::Status::not_found("the client sent no directory named \"" + op.identifier + "\"");
      std::vector<std::string> excludes;
      if (auto client = config_.local_excludes.find(op.identifier); client != config_.local_excludes.end())
        excludes = client->second;
      excludes.insert(excludes.end(), op.exclude_patterns.begin(), op.exclude_patterns.end());
      return solver::VertexResult{std::nullopt, found->second, op.include_patterns, std::move(excludes)};
    }
    case sdk::SourceKind::Image:
    case sdk::SourceKind::OciLayout: return unpack_image(op, context);
    case sdk::SourceKind::Http: return http_source(op, context);
    case sdk::SourceKind::Git: break;
  }
  return sdk::Status::unimplemented("git sources are not supported yet");
}

sdk::Result<solver::VertexResult> LocalWorker::merge(const sdk::MergeOp&, const std::vector<solver::VertexResult>&,
                                                     const solver::VertexContext&) {
  return sdk::Status::unimplemented("merge ops (COPY --link) are not supported yet");
}

sdk::Result<solver::VertexResult> LocalWorker::diff(const sdk::DiffOp&, const std::vector<solver::VertexResult>&,
                                                    const solver::VertexContext&) {
  return sdk::Status::unimplemented("diff ops are not supported yet");
}

bool LocalWorker::available(const solver::VertexResult& result) {
  return !result.snapshot || services_.snapshots.exists(*result.snapshot);
}

sdk::Result<fs::path> LocalWorker::hosts_file() {
  const fs::path path = config_.scratch_dir / "hosts";
  std::lock_guard lock(mutex_);
  std::error_code error;
  if (fs::exists(path, error)) return path;
  fs::create_directories(config_.scratch_dir, error);
  std::ofstream out(path);
  out << "127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  if (!out) return sdk::Status::unavailable("writing " + path.string());
  return path;
}

}  // namespace dbuild::worker
