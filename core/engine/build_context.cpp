// build_context.cpp: per-build workers, results, images, and the plugin-facing views.
#include "engine/build_context.hpp"

#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cache/imported_records.hpp"
#include "cache/lazy_content_store.hpp"
#include "engine/engine_step.hpp"
#include "engine/parts.hpp"
#include "image/compression.hpp"
#include "image/image_builder.hpp"
#include "image/image_converter.hpp"
#include "oci/reference.hpp"
#include "os/secure_path.hpp"
#include "solver/solver.hpp"
#include "worker/local_worker.hpp"
#include "dbuild/sdk/time.hpp"

namespace dbuild::engine {
namespace {

namespace fs = std::filesystem;

std::optional<std::int64_t> source_date_epoch(const sdk::SolveRequest& request) {
  auto found = request.frontend_options.find("build-arg:SOURCE_DATE_EPOCH");
  if (found == request.frontend_options.end() || found->second.empty()) return std::nullopt;
  try {
    return std::stoll(found->second);
  } catch (...) {
    return std::nullopt;
  }
}

constexpr const char* kOciLayoutScheme = "oci-layout://";
constexpr const char* kDockerImageScheme = "docker-image://";

// "docker.io/library/alpine:3.20" for an image, "oci-layout://DIR:TAG" for a layout.
std::string display_name(const sdk::SourceOp& op) {
  if (op.kind != sdk::SourceKind::Image) return kOciLayoutScheme + op.identifier;
  auto reference = oci::parse_reference(op.identifier);
  return reference ? reference->str() : op.identifier;
}

}  // namespace

class BuildContext::FrontendView final : public sdk::FrontendContext {
 public:
  explicit FrontendView(BuildContext& build) : build_(build) {}

  sdk::Result<std::string> read_file(std::string_view local_name, std::string_view path) override {
    auto dir = build_.request().local_dirs.find(std::string(local_name));
    if (dir == build_.request().local_dirs.end())
      return sdk::Status::not_found("the client sent no directory named \"" + std::string(local_name) + "\"");
    auto file = os::secure_join(dir->second, path);
    if (!file) return file.status();
    std::ifstream in(*file, std::ios::binary);
    if (!in) return sdk::Status::not_found(file->string() + ": no such file");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  sdk::Result<sdk::ImageConfigResult> resolve_image_config(std::string_view reference,
                                                           const sdk::Platform& platform) override {
    sdk::SourceOp op;
    op.platform = platform;
    if (reference.rfind(kOciLayoutScheme, 0) == 0) {
      op.kind = sdk::SourceKind::OciLayout;
      op.identifier = std::string(reference.substr(std::string_view(kOciLayoutScheme).size()));
    } else {
      op.kind = sdk::SourceKind::Image;
      if (reference.rfind(kDockerImageScheme, 0) == 0) reference.remove_prefix(std::string_view(kDockerImageScheme).size());
      op.identifier = std::string(reference);
    }
    // Shown once per image, as BuildKit shows it: quick when the image store has the image, a
    // registry request otherwise. The worker remembers what it resolved.
    std::optional<EngineStep> step;
    const std::string name = "[internal] load metadata for " + display_name(op) + " " + platform.str();
    bool first = false;
    {
      std::lock_guard lock(shown_mutex_);
      first = shown_.insert(name).second;
    }
    if (first) step.emplace(build_.progress(), "[internal] load metadata for " + display_name(op));
    auto resolved = build_.worker_for(platform).resolve_image(op);
    if (step) (void)step->finish(resolved.status());
    if (!resolved) return resolved.status();
    return sdk::ImageConfigResult{std::string(reference) + "@" + resolved->manifest.digest.str(),
                                  resolved->manifest.digest.str(), resolved->config_json};
  }

  void warn(std::string message, std::optional<sdk::SourceLocation> location) override {
    sdk::ProgressEvent event;
    event.type = sdk::ProgressType::Warning;
    event.timestamp_ns = sdk::now_ns();
    event.data = std::move(message);
    event.location = std::move(location);
    build_.progress().emit(event);
  }

 private:
  BuildContext& build_;
  std::mutex shown_mutex_;
  std::set<std::string> shown_;  // load-metadata steps already shown
};

class BuildContext::ExportView final : public sdk::ExportSource, private sdk::ProgressSink {
 public:
  ExportView(BuildContext& build, EngineStep& step, std::stop_token stop)
      : build_(build), step_(step), stop_(std::move(stop)) {}
  std::vector<sdk::Platform> platforms() override { return build_.platforms(); }
  sdk::Result<fs::path> rootfs(const sdk::Platform& platform) override { return build_.rootfs(platform); }
  sdk::Result<sdk::ExportImage> image(const sdk::Platform& platform, const sdk::ImageOptions& options) override {
    return image_into(platform, options, nullptr);
  }
  sdk::Result<sdk::ExportImage> image_into(const sdk::Platform& platform, const sdk::ImageOptions& options,
                                           sdk::LayerSink& sink) override {
    return image_into(platform, options, &sink);
  }
  sdk::ContentStore& content() override { return build_.export_content(); }
  sdk::ProgressSink& progress() override { return *this; }
  sdk::Result<sdk::ExportImage> store_image(const std::string& name, const sdk::Platform& platform) override {
    step_.status("naming to " + name);
    auto stored = build_.store_image(name, platform);
    if (stored) build_.count_exported(*stored);
    return stored;
  }
  std::stop_token stop() override { return stop_; }

 private:
  sdk::Result<sdk::ExportImage> image_into(const sdk::Platform& platform, const sdk::ImageOptions& options,
                                           sdk::LayerSink* sink) {
    if (auto fetched = build_.fetch_layers_to_convert(platform, options); !fetched) return fetched;
    auto made = build_.image(platform, options, sink);
    if (made) build_.count_exported(*made);
    return made;
  }
  void emit(const sdk::ProgressEvent& event) override { step_.forward(event); }

  BuildContext& build_;
  EngineStep& step_;
  std::stop_token stop_;
};

BuildContext::BuildContext(LocalEngine::Parts& parts, const sdk::SolveRequest& request, const content::Lease& lease,
                           std::string build_id, sdk::ProgressSink& progress)
    : parts_(parts), request_(request), lease_(lease), build_id_(std::move(build_id)), progress_(progress),
      leased_(*parts.content, lease), scratch_dir_(parts.session->scratch_dir() / build_id_) {
  std::error_code ignored;
  fs::create_directories(scratch_dir_, ignored);
}

BuildContext::~BuildContext() {
  views_.clear();
  workers_.clear();
  std::error_code ignored;
  fs::remove_all(scratch_dir_, ignored);
}

sdk::FrontendContext& BuildContext::frontend_context() {
  if (!frontend_view_) frontend_view_ = std::make_unique<FrontendView>(*this);
  return *frontend_view_;
}

sdk::ExportSource& BuildContext::export_source(EngineStep& step, std::stop_token stop) {
  export_view_ = std::make_unique<ExportView>(*this, step, std::move(stop));
  return *export_view_;
}

worker::LocalWorker& BuildContext::worker_for(const sdk::Platform& platform) {
  auto& slot = workers_[platform.str()];
  if (!slot) {
    worker::WorkerConfig config;
    for (const auto& [name, path] : request_.local_dirs) config.local_dirs[name] = path;
    config.local_excludes = request_.local_excludes;
    config.secrets = request_.secrets;
    config.scratch_dir = scratch_dir_;
    config.cache_mounts_dir = parts_.root / "cache-mounts";
    config.container_prefix = build_id_ + "-" + std::to_string(workers_.size());
    config.platform = platform;
    auto mode = request_.frontend_options.find("image-resolve-mode");
    config.pull = mode != request_.frontend_options.end() && mode->second == "pull";
    worker::WorkerServices services{*parts_.snapshots,   *parts_.executor,  *parts_.content,
                                    leased_,             lease_,            *parts_.images,
                                    *parts_.layer_blobs, *parts_.checksums, parts_.registry};
    slot = std::make_unique<worker::LocalWorker>(services, std::move(config));
  }
  return *slot;
}

sdk::Status BuildContext::solve(const sdk::PlatformResult& result, std::stop_token stop,
                                std::vector<solver::StepRecord>& steps, cache::ImportedRecords* imported,
                                LazyOutput lazy) {
  solver::Solver solver(worker_for(result.platform), *parts_.cache, progress_);
  solver::SolveOptions options;
  options.no_cache = request_.no_cache;
  options.max_parallel = parts_.max_parallelism;
  options.stop = stop;
  options.imported = imported;
  options.lazy_output = imported && lazy == LazyOutput::Yes;
  imported_ = imported;
  auto outcome = solver.solve(result.definition, options, &steps);
  if (!outcome) return outcome.status();
  if (outcome->result.is_local())
    return sdk::Status::invalid_argument("the build's result is a local directory, not a file system to export");
  if (outcome->imported_output) {
    auto stack = imported->stack(*outcome->imported_output);
    if (!stack) return sdk::Status::internal("the imported output " + *outcome->imported_output + " has no layers");
    if (!lazy_content_) lazy_content_ = std::make_unique<cache::LazyContentStore>(leased_, stop);
    lazy_content_->add(*stack);
  }
  solved_.push_back({result.platform, outcome->result.snapshot, result.image_config, std::nullopt,
                     std::move(outcome->cache_entries), outcome->imported_output});
  return sdk::Status::ok();
}

sdk::ContentStore& BuildContext::export_content() {
  if (lazy_content_) return *lazy_content_;
  return leased_;
}

const std::vector<solver::CacheEntry>& BuildContext::cache_entries(const sdk::Platform& platform) {
  static const std::vector<solver::CacheEntry> none;
  auto* solved = find(platform);
  return solved ? solved->cache_entries : none;
}

sdk::Status BuildContext::set_config_field(const sdk::Platform& platform, const std::string& key,
                                           const std::string& value) {
  auto* solved = find(platform);
  if (!solved) return sdk::Status::not_found("no result for platform " + platform.str());
  if (solved->image)
    return sdk::Status::failed_precondition("the image of " + platform.str() + " was made before " + key + " was set");
  auto config = solved->image_config.empty() ? nlohmann::json::object() : nlohmann::json::parse(solved->image_config, nullptr, false);
  auto parsed = nlohmann::json::parse(value, nullptr, false);
  if (!config.is_object() || parsed.is_discarded())
    return sdk::Status::invalid_argument("setting " + key + " of the image config: not JSON");
  config[key] = std::move(parsed);
  solved->image_config = config.dump();
  return sdk::Status::ok();
}

std::vector<sdk::Platform> BuildContext::platforms() const {
  std::vector<sdk::Platform> out;
  for (const auto& solved : solved_) out.push_back(solved.platform);
  return out;
}

BuildContext::Solved* BuildContext::find(const sdk::Platform& platform) {
  for (auto& solved : solved_)
    if (solved.platform == platform) return &solved;
  return nullptr;
}

sdk::Result<sdk::ExportImage> BuildContext::image(const sdk::Platform& platform) {
  auto* solved = find(platform);
  if (!solved) return sdk::Status::not_found("no result for platform " + platform.str());
  if (solved->image) return *solved->image;
  image::BuildImageOptions options{platform, source_date_epoch(request_)};
  auto built = solved->imported_output ? imported_image(*solved, options)
                                       : image::build_image(*parts_.snapshots, *parts_.content, lease_,
                                                            *parts_.layer_blobs, solved->snapshot,
                                                            solved->image_config, options);
  if (!built) return built.status();
  solved->image = *built;
  return *built;
}

sdk::Result<sdk::ExportImage> BuildContext::image(const sdk::Platform& platform, const sdk::ImageOptions& options,
                                                  sdk::LayerSink* sink) {
  auto base = image(platform);
  if (!base) return base.status();
  if (options.compression == "uncompressed" && options.oci_mediatypes) return base;
  return image::convert_image(*base, options, *parts_.content, lease_, *parts_.layer_blobs, sink);
}

sdk::Result<sdk::ExportImage> BuildContext::store_image(const std::string& name, const sdk::Platform& platform) {
  auto reference = oci::parse_reference(name);
  if (!reference) return reference.status();
  if (!reference->digest.empty()) return sdk::Status::invalid_argument(name + ": an image name cannot hold a digest");
  auto stored = image(platform);
  if (!stored) return stored.status();
  // The image store keeps blobs, never snapshots: an output left in an imported cache has its
  // layers fetched, not unpacked.
  if (lazy_content_)
    for (const auto& layer : stored->layers)
      if (auto fetched = lazy_content_->fetch(layer.digest); !fetched) return fetched;
  std::vector<sdk::Descriptor> blobs = stored->layers;
  blobs.push_back(stored->config);
  if (auto status = parts_.images->put(reference->str(), stored->manifest, blobs); !status) return status;
  return stored;
}

sdk::Status BuildContext::fetch_layers_to_convert(const sdk::Platform& platform, const sdk::ImageOptions& options) {
  auto* solved = find(platform);
  if (!solved || !solved->imported_output) return sdk::Status::ok();
  auto base = image(platform);
  if (!base) return base.status();
  auto wanted = image::parse_compression(options.compression);
  if (!wanted) return wanted.status();
  // As image::convert_layer decides: a layer is kept as it is when it has the compression asked
  // for, or any compression unless forced; others are read to be compressed.
  for (const auto& layer : base->layers) {
    const auto current = image::compression_of(layer.media_type).value_or(image::Compression::None);
    if (current == *wanted || (!options.force_compression && current != image::Compression::None)) continue;
    if (auto fetched = lazy_content_->fetch(layer.digest); !fetched) return fetched;
  }
  return sdk::Status::ok();
}

// The image of an output left in the imported cache, from the layers its record names.
sdk::Result<sdk::ExportImage> BuildContext::imported_image(const Solved& solved, const image::BuildImageOptions& options) {
  auto stack = imported_->stack(*solved.imported_output);
  if (!stack) return sdk::Status::internal("the imported output " + *solved.imported_output + " has no layers");
  auto layers = cache::image_layers(*stack, *parts_.layer_blobs, leased_);
  if (!layers) return layers.status();
  return image::assemble_image(*parts_.content, lease_, *layers, solved.image_config, options);
}

void BuildContext::count_exported(const sdk::ExportImage& image) {
  exported_bytes_ += image.manifest.size + image.config.size;
  for (const auto& layer : image.layers) exported_bytes_ += layer.size;
}

sdk::Result<fs::path> BuildContext::rootfs(const sdk::Platform& platform) {
  auto* solved = find(platform);
  if (!solved) return sdk::Status::not_found("no result for platform " + platform.str());
  if (solved->imported_output)
    return sdk::Status::failed_precondition("the result of " + platform.str() +
                                            " was left in the imported cache, as no exporter was to read its files");
  auto view = parts_.snapshots->view(solved->snapshot);
  if (!view) return view.status();
  fs::path root = (*view)->root();
  views_.push_back(std::move(*view));
  return root;
}

}  // namespace dbuild::engine
