// oci_exporter.cpp: attribute checks before the build, then the layout written by the shared
// image_layout code; the response carries the digests buildx's --metadata-file reports.
#include "oci_exporter.hpp"

#include <unistd.h>

#include <filesystem>
#include <set>

#include "../common/image_layout.hpp"
#include "../common/annotations.hpp"
#include "../common/export_metadata.hpp"

namespace dbuild::exporters {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kKeys = {"dest", "tar", "name", "compression", "compression-level", "force-compression",
                                     "oci-mediatypes"};

bool as_tar(const sdk::Attributes& attributes) {
  auto found = attributes.find("tar");
  return found == attributes.end() || found->second != "false";
}

}  // namespace

sdk::Status OciExporter::check(const sdk::Attributes& attributes) {
  for (const auto& [key, value] : attributes)
    if (!kKeys.count(key) && !is_annotation_attribute(key))
      return sdk::Status::invalid_argument("unknown attribute \"" + key + "\" for the oci exporter");
  auto options = sdk::image_options(attributes, true);
  if (!options) return options.status();
  if (auto annotations = parse_annotations(attributes); !annotations) return annotations.status();
  auto dest = attributes.find("dest");
  if (dest == attributes.end() || dest->second.empty())
    return sdk::Status::invalid_argument("dest= is required (a file, - for stdout, or a directory with tar=false)");
  if (as_tar(attributes)) return check_file_dest(dest->second);
  const fs::path path = fs::absolute(dest->second);
  std::error_code error;
  if (fs::exists(path, error) && !fs::is_directory(path, error))
    return sdk::Status::invalid_argument("dest " + path.string() + " exists and is not a directory");
  if (!fs::is_directory(path.parent_path(), error))
    return sdk::Status::invalid_argument("dest " + path.string() + ": directory " + path.parent_path().string() +
                                         " does not exist");
  if (::access(path.parent_path().c_str(), W_OK) != 0)
    return sdk::Status::permission_denied("dest " + path.string() + ": " + path.parent_path().string() + " is not writable");
  return sdk::Status::ok();
}

sdk::Result<sdk::ExportResponse> OciExporter::export_result(const sdk::Attributes& attributes,
                                                            sdk::ExportSource& source) {
  auto options = sdk::image_options(attributes, true);
  if (!options) return options.status();
  const auto& dest = attributes.at("dest");
  auto writer = as_tar(attributes) ? tar_writer(dest) : directory_writer(dest);
  if (!writer) return writer.status();
  auto laid_out = layout_images(attributes, *options, image_names(attributes), source, (*writer)->layer_sink());
  if (!laid_out) return laid_out.status();
  const auto& images = *laid_out;
  if (auto status = write_layout(**writer, images, source.content(), false); !status) return status;
  return export_metadata(images);
}

}  // namespace dbuild::exporters
