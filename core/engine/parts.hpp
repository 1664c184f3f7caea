// parts.hpp: what a LocalEngine is made of, shared by its .cpp files (not a public header).
#pragma once

#include <atomic>
#include <optional>

#include <dbuild/sdk/host.hpp>

#include "content/clock.hpp"
#include "content/local_content_store.hpp"
#include "context/checksum.hpp"
#include "db/database.hpp"
#include "engine/build_history.hpp"
#include "engine/local_engine.hpp"
#include "engine/session.hpp"
#include "executor/runc_executor.hpp"
#include "image/image_store.hpp"
#include "image/layer_blobs.hpp"
#include "snapshot/snapshotter.hpp"
#include "solver/sqlite_cache_store.hpp"

namespace dbuild::engine {

struct LocalEngine::Parts {
  std::filesystem::path root;
  plugin::PluginRegistry& plugins;
  sdk::Logger& logger;
  sdk::Registry& registry;
  std::unique_ptr<db::Database> database;
  content::SystemClock clock;
  std::unique_ptr<content::LocalContentStore> content;
  std::optional<Session> session;
  std::unique_ptr<snapshot::Snapshotter> snapshots;
  sdk::Status runtime_status;  // why there is no executor, when there is none
  std::unique_ptr<executor::RuncExecutor> executor;
  std::filesystem::path run_dir;  // the runtime's state and bundles (executor::runtime_run_dir)
  std::unique_ptr<image::ImageStore> images;
  std::unique_ptr<image::LayerBlobs> layer_blobs;
  std::unique_ptr<context::ChecksumCache> checksums;
  std::unique_ptr<solver::SqliteCacheStore> cache;
  std::unique_ptr<history::HistoryStore> history;  // null when history.db cannot be used
  sdk::Status history_status;                      // why it is null
  HistorySettings history_settings;
  std::size_t max_parallelism = 0;  // EngineSettings::max_parallelism
  std::atomic<std::uint64_t> next_build{0};

  Parts(std::filesystem::path root_dir, plugin::PluginRegistry& plugin_registry, sdk::Logger& log,
        sdk::Registry& registry_service)
      : root(std::move(root_dir)), plugins(plugin_registry), logger(log), registry(registry_service) {}
};

}  // namespace dbuild::engine
