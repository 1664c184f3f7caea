// oci_layout.hpp: reading images from an OCI image layout, a directory or a tarball
// (`oci-layout://PATH[:TAG]` or `...@sha256:...`), and importing what a build needs of them
// into the content store, every blob checked against its digest.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/status.hpp>

#include "oci/image_format.hpp"

namespace dbuild::image {

struct LayoutRef {
  std::filesystem::path path;
  std::string tag;     // matched against org.opencontainers.image.ref.name
  std::string digest;  // a manifest or index digest; empty when not given
};

/// Parses "PATH[:TAG]" or "PATH@sha256:...". A ':' before the last '/' belongs to the path.
[[nodiscard]] sdk::Result<LayoutRef> parse_layout_ref(std::string_view identifier);

/// An image whose manifest and config are known (and stored in the content store).
struct ResolvedImage {
  sdk::Descriptor manifest;
  oci::Manifest parsed;
  std::string config_json;
  std::vector<std::string> diff_ids;  // the config's rootfs.diff_ids
};

/// Reads the layout's index, picks the image for `platform`, and stores its manifest and
/// config in `content`. Errors: not_found (no layout, tag or platform), invalid_argument (a
/// broken layout or a blob that does not match its digest).
[[nodiscard]] sdk::Result<ResolvedImage> resolve_oci_layout(const LayoutRef& ref, const sdk::Platform& platform,
                                                            sdk::ContentStore& content);

/// Stores the layer blobs of `image` that `content` lacks. Errors: as resolve_oci_layout.
[[nodiscard]] sdk::Status import_layers(const LayoutRef& ref, const ResolvedImage& image, sdk::ContentStore& content);

/// The diff ids of an image config, read with oci::parse_config. Errors: invalid_argument (a
/// config the image spec refuses, or a diff id that is not a digest).
[[nodiscard]] sdk::Result<std::vector<std::string>> config_diff_ids(std::string_view config_json);

}  // namespace dbuild::image
