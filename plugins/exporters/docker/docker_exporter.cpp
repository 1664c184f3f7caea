// docker_exporter.cpp: the layout with Docker's manifest.json, to a file, stdout, or the engine.
#include "docker_exporter.hpp"

#include <unistd.h>

#include <filesystem>
#include <set>

#include "../common/annotations.hpp"
#include "../common/export_metadata.hpp"
#include "../common/image_layout.hpp"
#include "docker_load.hpp"

namespace dbuild::exporters {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kKeys = {"dest", "name", "compression", "compression-level", "force-compression",
                                     "oci-mediatypes"};

}  // namespace

sdk::Status DockerExporter::check(const sdk::Attributes& attributes) {
  for (const auto& [key, value] : attributes)
    if (!kKeys.count(key) && !is_annotation_attribute(key))
      return sdk::Status::invalid_argument("unknown attribute \"" + key + "\" for the docker exporter");
  auto options = sdk::image_options(attributes, false);
  if (!options) return options.status();
  if (auto annotations = parse_annotations(attributes); !annotations) return annotations.status();
  auto dest = attributes.find("dest");
  if (dest != attributes.end() && !dest->second.empty()) return check_file_dest(dest->second);
  auto socket = docker_socket();
  if (!socket) return socket.status();
  std::error_code error;
  if (!fs::exists(*socket, error))
    return sdk::Status::unavailable("--load: no Docker engine socket at " + *socket)
        .with_hint("start dockerd, or set DOCKER_HOST=unix:///path/to/docker.sock");
  return sdk::Status::ok();
}

sdk::Result<sdk::ExportResponse> DockerExporter::export_result(const sdk::Attributes& attributes,
                                                               sdk::ExportSource& source) {
  auto options = sdk::image_options(attributes, false);
  if (!options) return options.status();
  auto dest = attributes.find("dest");
  const bool load = dest == attributes.end() || dest->second.empty();
  std::string target = load ? (fs::temp_directory_path() / "dbuild-load-XXXXXX").string() : dest->second;
  int fd = -1;
  if (load) {
    fd = ::mkstemp(target.data());
    if (fd < 0) return sdk::Status::unavailable("creating a temporary tarball for --load");
  }
  struct Cleanup {
    bool active;
    std::string path;
    int fd;
    ~Cleanup() {
      if (fd >= 0) ::close(fd);
      if (active) ::unlink(path.c_str());
    }
  } cleanup{load, target, fd};
  auto writer = tar_writer(target, fd);
  if (!writer) return writer.status();
  auto laid_out = layout_images(attributes, *options, image_names(attributes), source, (*writer)->layer_sink());
  if (!laid_out) return laid_out.status();
  const auto& images = *laid_out;
  if (auto status = write_layout(**writer, images, source.content(), true); !status) return status;
  auto response = export_metadata(images);
  if (!load) return response;
  auto socket = docker_socket();
  if (!socket) return socket.status();
  auto loaded = docker_load(*socket, target);
  if (!loaded) return loaded.status();
  response.metadata["docker.loaded"] = *loaded;
  return response;
}

}  // namespace dbuild::exporters
