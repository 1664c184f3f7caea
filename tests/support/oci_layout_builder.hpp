// oci_layout_builder.hpp: test base images as OCI image layouts, made with GNU tar, gzip and
// sha256sum rather than dbuild's own code, so that what dbuild reads was not written by it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dbuild::test {

struct LayoutImage {
  std::filesystem::path layout;  // the layout directory
  std::string tag;               // its ref name in index.json
  std::string manifest_digest;
  std::vector<std::string> diff_ids;

  /// "PATH:TAG", what an oci-layout source takes.
  [[nodiscard]] std::string reference() const { return layout.string() + ":" + tag; }
};

/// Writes an OCI layout at `layout` holding one image `tag` whose layers are the given
/// directories (each tarred as it is, with numeric owners) and whose config has `config_json`'s
/// fields (env, cmd, ...) plus rootfs and history. Fails the test on any tool error.
LayoutImage make_oci_layout(const std::filesystem::path& layout, const std::string& tag,
                            const std::vector<std::filesystem::path>& layer_dirs,
                            const std::string& config_json = "{}");

/// A busybox image (make_busybox_rootfs as its one layer, PATH set, CMD ["sh"]) at `layout`.
LayoutImage make_busybox_layout(const std::filesystem::path& layout, const std::string& tag = "latest");

/// The sha256 of a file, by sha256sum: "sha256:<hex>".
std::string sha256sum_of(const std::filesystem::path& file);

}  // namespace dbuild::test
