// plugin.cpp: declares the inline cache backend; the logic is in inline_cache.cpp.
#include <dbuild/sdk/plugin.hpp>

#include "inline_cache.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::CacheBackend>> make_inline(dbuild::sdk::Host&) {
  return std::make_unique<dbuild::cache_backends::InlineCache>();
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"mode", dbuild::sdk::OptionType::String, "min", "min only: the records name the image's own layers", false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::CacheBackend, "inline", "Embeds build cache records in the exported image's config.",
              make_inline, kOptions);
