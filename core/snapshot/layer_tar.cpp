// layer_tar.cpp: an overlay upper dir as an OCI layer (overlay whiteouts become `.wh.` entries),
// and the file-descriptor sinks and sources.
#include "snapshot/layer_tar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "snapshot/layer_tar_writer.hpp"

namespace dbuild::snapshot {
namespace {

using detail::FileInfo;
using detail::TarWriter;

struct UpperChild {
  std::string name;      // on disk
  std::string tar_name;  // in the layer: `.wh.<name>` for a whiteout
  FileInfo info;
};

sdk::Result<std::vector<UpperChild>> read_upper_children(const std::string& dir) {
  auto names = detail::list_directory(dir);
  if (!names) return names.status();
  std::vector<UpperChild> children;
  children.reserve(names->size());
  for (auto& name : *names) {
    const std::string path = dir + "/" + name;
    if (name.starts_with(detail::kWhiteoutPrefix))
      return sdk::Status::failed_precondition(fmt::format(
          "\"{}\": a name starting with \"{}\" cannot be stored in a layer", path, detail::kWhiteoutPrefix));
    auto info = detail::read_file_info(path);
    if (!info) return info.status();
    if (!info->overlay_only.empty())
      return sdk::Status::failed_precondition(
          fmt::format("\"{}\": has {}, which a layer cannot express; mount overlay with redirect_dir=off,metacopy=off",
                      path, info->overlay_only));
    std::string tar_name = detail::is_overlay_whiteout(info->stat) ? std::string(detail::kWhiteoutPrefix) + name : name;
    children.push_back({std::move(name), std::move(tar_name), std::move(*info)});
  }
  // Sorted by the names the layer shows, so that the stream is in path order.
  std::sort(children.begin(), children.end(),
            [](const UpperChild& a, const UpperChild& b) { return a.tar_name < b.tar_name; });
  return children;
}

sdk::Status write_upper_dir(TarWriter& writer, const std::string& dir, const std::string& tar_prefix) {
  auto children = read_upper_children(dir);
  if (!children) return children.status();
  for (const auto& child : *children) {
    const std::string tar_path = tar_prefix + child.tar_name;
    if (detail::is_overlay_whiteout(child.info.stat)) {
      if (auto status = writer.add_whiteout(tar_path); !status) return status;
      continue;
    }
    const std::string path = dir + "/" + child.name;
    if (auto status = writer.add(tar_path, child.info, path); !status) return status;
    if (!S_ISDIR(child.info.stat.st_mode)) continue;
    // Right after its directory, as Docker writes it: appliers may then rely on the marker
    // preceding what this layer puts in the directory.
    if (child.info.opaque) {
      if (auto status = writer.add_whiteout(tar_path + "/" + std::string(detail::kOpaqueMarker)); !status)
        return status;
    }
    if (auto status = write_upper_dir(writer, path, tar_path + "/"); !status) return status;
  }
  return sdk::Status::ok();
}

}  // namespace

sdk::Result<LayerStats> write_layer_from_upper(const std::filesystem::path& upper, const ByteSink& out,
                                               const LayerWriteOptions& options) {
  const std::string context = fmt::format("writing a layer from \"{}\"", upper.string());
  try {
    TarWriter writer(out, options);
    if (auto status = writer.open(); !status) return std::move(status).with_context(context);
    if (auto status = write_upper_dir(writer, upper.string(), ""); !status)
      return std::move(status).with_context(context);
    if (auto status = writer.close(); !status) return std::move(status).with_context(context);
    return writer.stats();
  } catch (const std::exception& error) {  // allocation failures; nothing else here throws
    return sdk::Status::unavailable(error.what()).with_context(context);
  }
}

ByteSink fd_byte_sink(int fd) {
  return [fd](const void* data, std::size_t size) -> sdk::Status {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
      ssize_t written = ::write(fd, bytes, size);
      if (written < 0 && errno == EINTR) continue;
      if (written < 0) return sdk::Status::unavailable(fmt::format("cannot write: {}", std::strerror(errno)));
      bytes += written;
      size -= static_cast<std::size_t>(written);
    }
    return sdk::Status::ok();
  };
}

ByteSource fd_byte_source(int fd) {
  return [fd](void* buffer, std::size_t capacity) -> sdk::Result<std::size_t> {
    for (;;) {
      ssize_t count = ::read(fd, buffer, capacity);
      if (count >= 0) return static_cast<std::size_t>(count);
      if (errno != EINTR) return sdk::Status::unavailable(fmt::format("cannot read: {}", std::strerror(errno)));
    }
  };
}

}  // namespace dbuild::snapshot
