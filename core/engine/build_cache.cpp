// build_cache.cpp: cache imports and exports of one build (build_cache.hpp), and the
// CacheExportSource that backends see.
#include "engine/build_cache.hpp"

#include "cache/cache_root.hpp"
#include "cache/imported_records.hpp"
#include "cache/record_collector.hpp"
#include "engine/build_context.hpp"
#include "engine/engine_step.hpp"
#include "engine/parts.hpp"

namespace dbuild::engine {

using cache::describe;

class BuildCache::ExportView final : public sdk::CacheExportSource, private sdk::ProgressSink {
 public:
  ExportView(BuildCache& cache, EngineStep& step, std::stop_token stop)
      : cache_(cache), step_(step), stop_(std::move(stop)) {}

  sdk::Result<sdk::CacheLayout> layout(const sdk::CacheLayoutOptions& options) override {
    std::vector<solver::CacheEntry> entries;
    for (const auto& platform : cache_.build_.platforms()) {
      const auto& solved = cache_.build_.cache_entries(platform);
      entries.insert(entries.end(), solved.begin(), solved.end());
    }
    step_.status("preparing build cache for export");
    auto collected = cache::collect_records(entries, {options.mode, options.layers, false}, services(), stop_);
    if (!collected) return collected.status();
    step_.status("writing cache manifest");
    return cache::write_cache_root(collected->config, collected->blobs,
                                   {options.image_manifest, options.layers.oci_mediatypes}, cache_.build_.content());
  }

  sdk::Status embed_in_image() override {
    for (const auto& platform : cache_.build_.platforms()) {
      auto collected = cache::collect_records(cache_.build_.cache_entries(platform),
                                              {sdk::CacheMode::Min, {}, true}, services(), stop_);
      if (!collected) return collected.status();
      if (auto status = cache_.build_.set_config_field(platform, cache::kInlineConfigKey, to_json(collected->config));
          !status)
        return status;
    }
    return sdk::Status::ok();
  }

  sdk::ContentStore& content() override { return cache_.build_.content(); }
  sdk::ProgressSink& progress() override { return *this; }
  std::stop_token stop() override { return stop_; }

 private:
  void emit(const sdk::ProgressEvent& event) override { step_.forward(event); }

  cache::CollectServices services() const {
    auto& parts = cache_.parts_;
    return {*parts.snapshots, *parts.content, cache_.lease_, cache_.build_.content(), *parts.layer_blobs,
            cache_.imported_.get()};
  }

  BuildCache& cache_;
  EngineStep& step_;
  std::stop_token stop_;
};

BuildCache::BuildCache(LocalEngine::Parts& parts, BuildContext& build, const content::Lease& lease, CacheTargets targets)
    : parts_(parts), build_(build), lease_(lease), targets_(std::move(targets)),
      imported_(std::make_unique<cache::ImportedRecords>(*parts.snapshots, build.content(), *parts.layer_blobs)) {}

BuildCache::~BuildCache() = default;

void BuildCache::import_all(sdk::ProgressSink& progress, std::stop_token stop) {
  for (const auto& target : targets_.imports) {
    if (stop.stop_requested()) return;
    const std::string name = describe(target);
    EngineStep step(progress, "importing cache manifest from " + name);
    auto reader = target.backend->open(target.attributes);
    sdk::Result<cache::ImportedConfig> config = reader ? cache::read_cache_root(**reader, sdk::Platform::host(), build_.content())
                                                       : sdk::Result<cache::ImportedConfig>(reader.status());
    if (!config) {
      step.warn("--cache-from " + name + " is not used: " + config.status().to_string());
      (void)step.finish(sdk::Status::ok());
      continue;
    }
    step.status(std::to_string(config->config.records.size()) + " records");
    imported_->add(name, std::move(config->config), std::move(*reader));
    (void)step.finish(sdk::Status::ok());
  }
}

cache::ImportedRecords* BuildCache::imported() { return imported_->empty() ? nullptr : imported_.get(); }

sdk::Status BuildCache::export_all(sdk::ProgressSink& progress, std::stop_token stop) {
  for (const auto& target : targets_.exports) {
    const std::string what = "exporting cache to " + target.type;
    EngineStep step(progress, what);
    ExportView view(*this, step, stop);
    auto status = target.backend->export_cache(target.attributes, view);
    if (!status && stop.stop_requested()) return step.finish(sdk::Status::cancelled("build cancelled"));
    if (!status && target.ignore_error) {
      step.warn("the cache was not exported (ignore-error=true): " + status.to_string());
      status = sdk::Status::ok();
    }
    if (!status) return step.finish(std::move(status).with_context(what));
    (void)step.finish(sdk::Status::ok());
  }
  return sdk::Status::ok();
}

}  // namespace dbuild::engine
