// local_engine.cpp: opening a state root (directories, database, clean-up after dead sessions,
// driver and runtime choice), and the engine's image-store and disk-usage calls. Builds are in
// build.cpp, pruning in prune.cpp.
#include "engine/local_engine.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "db/migrations.hpp"
#include "engine/parts.hpp"
#include "host/build_info.hpp"
#include "oci/image_format.hpp"
#include "oci/reference.hpp"

namespace dbuild::engine {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::milliseconds kHistoryLockWait{2000};

sdk::Status make_state_dirs(const fs::path& root) {
  std::error_code error;
  for (const char* sub : {"", "sessions", "snapshots", "cache-mounts", "tmp"}) {
    fs::create_directories(root / sub, error);
    if (error) {
      std::string message = "cannot create state directory " + (root / sub).string() + ": " + error.message();
      if (error == std::errc::permission_denied || error == std::errc::read_only_file_system)
        return sdk::Status::permission_denied(message).with_hint("use --root DIR or DBUILD_ROOT for a writable state root");
      return sdk::Status::unavailable(message);
    }
  }
  fs::permissions(root, fs::perms::owner_all, fs::perm_options::replace, error);
  return sdk::Status::ok();
}

// A dead session's leftovers: its containers and their bundles, its unfinished snapshots.
void clean_session(LocalEngine::Parts& parts, const std::string& name) {
  if (parts.executor) {
    (void)parts.executor->delete_containers(name);
    std::error_code ignored;
    fs::remove_all(parts.run_dir / "bundles" / name, ignored);
  }
  (void)parts.snapshots->cleanup_session(name);
}

}  // namespace

fs::path default_state_root() {
  if (::geteuid() == 0) return "/var/lib/dbuild";
  if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) return fs::path(data) / "dbuild";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".local/share/dbuild";
  return "/tmp/dbuild-" + std::to_string(::geteuid());
}

LocalEngine::LocalEngine(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

LocalEngine::~LocalEngine() {
  if (parts_->checksums) (void)parts_->checksums->flush();
  if (parts_->session && parts_->executor) {
    std::error_code ignored;
    fs::remove_all(parts_->run_dir / "bundles" / parts_->session->name(), ignored);
  }
  if (parts_->session) parts_->session->close();
}

sdk::Result<std::unique_ptr<LocalEngine>> LocalEngine::open(const fs::path& state_root, plugin::PluginRegistry& plugins,
                                                            sdk::Logger& logger, sdk::Registry& registry,
                                                            const EngineSettings& settings) {
  const fs::path root = fs::absolute(state_root).lexically_normal();
  if (auto status = make_state_dirs(root); !status) return status;
  auto parts = std::make_unique<Parts>(root, plugins, logger, registry);

  auto database = db::Database::open(root / "dbuild.db", db::Mode::ReadWrite);
  if (!database) return database.status();
  parts->database = std::move(*database);
  if (auto status = db::migrate(*parts->database); !status) return status;
  auto content = content::LocalContentStore::open(root, *parts->database, parts->clock);
  if (!content) return content.status();
  parts->content = std::move(*content);

  auto session = Session::create(root);
  if (!session) return session.status();
  parts->session.emplace(std::move(*session));
  const auto driver = snapshot::Snapshotter::choose_driver(root);
  parts->snapshots = std::make_unique<snapshot::Snapshotter>(*parts->database, root, parts->session->mounts_dir(),
                                                             parts->session->name(), driver);
  if (auto runtime = executor::detect_runtime()) {
    parts->run_dir = executor::runtime_run_dir(root);
    parts->executor = std::make_unique<executor::RuncExecutor>(*runtime, parts->run_dir / "runc",
                                                               parts->run_dir / "bundles" / parts->session->name());
  } else {
    parts->runtime_status = runtime.status();
  }
  parts->history_settings.retention = {settings.history_max_entries, settings.history_max_age_seconds * 1000000000LL};
  parts->history_settings.log_ceiling = settings.history_log_ceiling;
  parts->max_parallelism = settings.max_parallelism;
  if (auto history = history::HistoryStore::open(root)) {
    parts->history = std::move(*history);
    // A history write is a few rows; waiting longer than this for another process's lock (a long
    // `history import`, an open sqlite3 shell) would stall the build for nothing it needs.
    parts->history->set_lock_wait(kHistoryLockWait);
  } else {
    parts->history_status = history.status();  // builds go on; each says why nothing is recorded
  }
  clean_dead_sessions(root, [&](const std::string& name) {
    clean_session(*parts, name);
    if (parts->history) (void)parts->history->mark_interrupted(name);
  });
  (void)parts->content->cleanup_ingest(std::chrono::seconds(3600));

  parts->images = std::make_unique<image::ImageStore>(*parts->database, *parts->content);
  parts->layer_blobs = std::make_unique<image::LayerBlobs>(*parts->database);
  // Context files are hashed on every core (a few at most): a rehash is then bound by neither
  // one core's SHA-256 speed nor one thread's per-file syscalls.
  parts->checksums = std::make_unique<context::ChecksumCache>(
      *parts->database, std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  parts->cache = std::make_unique<solver::SqliteCacheStore>(*parts->database);
  return std::unique_ptr<LocalEngine>(new LocalEngine(std::move(parts)));
}

sdk::Result<sdk::EngineInfo> LocalEngine::info() {
  sdk::EngineInfo info;
  info.version = std::string(host::build_info().version);
  info.runtime = parts_->executor ? parts_->executor->describe() : "";
  info.snapshotter = snapshot::driver_name(parts_->snapshots->driver());
  info.state_root = parts_->root.string();
  info.platforms = {sdk::Platform::host()};
  return info;
}

sdk::Result<std::vector<sdk::ImageSummary>> LocalEngine::list_images() {
  auto images = parts_->images->list();
  if (!images) return images.status();
  std::vector<sdk::ImageSummary> out;
  for (const auto& image : *images)
    out.push_back({image.name, image.manifest.digest.str(), image.size, image.created});
  return out;
}

sdk::Result<sdk::ImageDetails> LocalEngine::inspect_image(const std::string& name) {
  auto reference = oci::parse_reference(name);
  if (!reference) return reference.status();
  auto image = parts_->images->get(reference->str());
  if (!image) return image.status();
  sdk::ImageDetails details;
  details.summary = {image->name, image->manifest.digest.str(), image->size, image->created};
  auto manifest = parts_->content->read(image->manifest.digest);
  if (!manifest) return manifest.status().with_context("reading the manifest of " + name);
  details.manifest = *manifest;
  auto parsed = oci::parse_manifest(*manifest);
  if (!parsed) return parsed.status();
  auto config = parts_->content->read(parsed->config.digest);
  if (!config) return config.status().with_context("reading the config of " + name);
  details.config = *config;
  return details;
}

sdk::Status LocalEngine::remove_image(const std::string& name) {
  auto reference = oci::parse_reference(name);
  if (!reference) return reference.status();
  return parts_->images->remove(reference->str());
}

}  // namespace dbuild::engine
