// inline_cache.cpp: records embedded in the image (inline_cache.hpp).
#include "inline_cache.hpp"

#include "../common/cache_attributes.hpp"

namespace dbuild::cache_backends {
namespace {

constexpr const char* kImportHint = "import an image's inline cache with --cache-from type=registry,ref=IMAGE";

}  // namespace

sdk::Status InlineCache::check(const sdk::Attributes& attributes, sdk::CacheDirection direction) {
  if (direction == sdk::CacheDirection::Import)
    return sdk::Status::unimplemented("the inline cache is export-only").with_hint(kImportHint);
  if (auto status = check_keys(attributes, "inline", {"mode"}); !status) return status;
  if (auto mode = attributes.find("mode"); mode != attributes.end() && mode->second != "min")
    return sdk::Status::invalid_argument("mode=" + mode->second +
                                         ": the inline cache holds only the image's own steps (mode=min); use "
                                         "type=registry for mode=max");
  return sdk::Status::ok();
}

sdk::Result<std::unique_ptr<sdk::CacheReader>> InlineCache::open(const sdk::Attributes&) {
  return sdk::Status::unimplemented("the inline cache is export-only").with_hint(kImportHint);
}

sdk::Status InlineCache::export_cache(const sdk::Attributes&, sdk::CacheExportSource& source) {
  return source.embed_in_image();
}

}  // namespace dbuild::cache_backends
