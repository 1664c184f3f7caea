// registry_pull.hpp: base images from registries: a reference resolved to the platform's
// manifest and config (what the frontend and cache keys need), then the layers the content
// store lacks, downloaded in parallel with their bytes shown on the FROM step.
#pragma once

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/registry.hpp>

#include "image/oci_layout.hpp"
#include "oci/reference.hpp"
#include "solver/worker.hpp"

namespace dbuild::worker {

/// A manifest in `content` and its config as a ResolvedImage; nullopt when either is missing.
[[nodiscard]] sdk::Result<std::optional<image::ResolvedImage>> read_stored_image(const sdk::Descriptor& manifest,
                                                                                 sdk::ContentStore& content);

/// The manifest `reference` names for `platform` (an index is resolved to the platform's entry)
/// and its config, stored in `content`. Errors: as sdk::Registry's, with the reference named.
[[nodiscard]] sdk::Result<image::ResolvedImage> resolve_from_registry(sdk::Registry& registry,
                                                                      const oci::Reference& reference,
                                                                      const sdk::Platform& platform,
                                                                      sdk::ContentStore& content);

/// The manifest and config of a digest reference whose manifest (or index) is already in
/// `content`; nullopt when it is not there.
[[nodiscard]] sdk::Result<std::optional<image::ResolvedImage>> resolve_from_content(const oci::Reference& reference,
                                                                                    const sdk::Platform& platform,
                                                                                    sdk::ContentStore& content);

/// Downloads the image's layers that `content` lacks, at most `parallel` at once, reporting each
/// layer's bytes as a status of the step in `context`.
[[nodiscard]] sdk::Status pull_layers(sdk::Registry& registry, const oci::Reference& reference,
                                      const image::ResolvedImage& image, sdk::ContentStore& content,
                                      const solver::VertexContext& context, int parallel = 3);

}  // namespace dbuild::worker
