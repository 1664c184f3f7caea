// image_layout.cpp: attributes, tar and directory writers, and the layout files themselves.
#include "image_layout.hpp"

#include "annotations.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

namespace dbuild::exporters {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class TarWriter final : public LayoutWriter {
 public:
  TarWriter() : archive_(archive_write_new(), archive_write_free) { archive_write_set_format_pax_restricted(archive_.get()); }

  sdk::Status open(const std::string& dest, int fd) {
    int result = fd >= 0 ? archive_write_open_fd(archive_.get(), fd)
                 : dest == "-" ? archive_write_open_fd(archive_.get(), 1)
                               : archive_write_open_filename(archive_.get(), dest.c_str());
    if (result != ARCHIVE_OK) return error("opening " + dest);
    return sdk::Status::ok();
  }
  sdk::Status add_text(const std::string& path, const std::string& text) override {
    if (auto status = header(path, static_cast<std::int64_t>(text.size())); !status) return status;
    if (!text.empty() && archive_write_data(archive_.get(), text.data(), text.size()) < 0) return error("writing " + path);
    return sdk::Status::ok();
  }
  sdk::Status add_file(const std::string& path, const fs::path& source, std::int64_t size) override {
    if (auto status = header(path, size); !status) return status;
    int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sdk::Status::unavailable("reading " + source.string() + ": " + std::strerror(errno));
    std::vector<char> buffer(1 << 20);
    sdk::Status status;
    while (true) {
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (archive_write_data(archive_.get(), buffer.data(), static_cast<std::size_t>(n)) < 0) {
        status = error("writing " + path);
        break;
      }
    }
    ::close(fd);
    return status;
  }
  sdk::Status finish() override {
    if (archive_write_close(archive_.get()) != ARCHIVE_OK) return error("closing the tarball");
    return sdk::Status::ok();
  }

 private:
  sdk::Status header(const std::string& path, std::int64_t size) {
    // Directories first, once each, so that tools that extract strictly find them.
    for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      auto dir = path.substr(0, slash + 1);
      if (!directories_.insert(dir).second) continue;
      if (auto status = entry(dir, AE_IFDIR, 0755, 0); !status) return status;
    }
    return entry(path, AE_IFREG, 0644, size);
  }
  sdk::Status entry(const std::string& path, unsigned type, unsigned mode, std::int64_t size) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> item(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(item.get(), path.c_str());
    archive_entry_set_filetype(item.get(), type);
    archive_entry_set_perm(item.get(), mode);
    archive_entry_set_size(item.get(), size);
    archive_entry_set_mtime(item.get(), 0, 0);
    if (archive_write_header(archive_.get(), item.get()) != ARCHIVE_OK) return error("writing " + path);
    return sdk::Status::ok();
  }
  sdk::Status error(const std::string& what) {
    const char* message = archive_error_string(archive_.get());
    return sdk::Status::unavailable(what + ": " + (message ? message : "write failed"));
  }

  std::unique_ptr<archive, int (*)(archive*)> archive_;
  std::set<std::string> directories_;
};

class DirectoryWriter final : public LayoutWriter {
 public:
  explicit DirectoryWriter(fs::path root) : root_(std::move(root)) {}
  sdk::Status add_text(const std::string& path, const std::string& text) override {
    auto target = prepare(path);
    std::ofstream(target, std::ios::binary | std::ios::trunc) << text;
    return sdk::Status::ok();
  }
  sdk::Status add_file(const std::string& path, const fs::path& source, std::int64_t) override {
    auto target = prepare(path);
    std::error_code error;
    fs::copy_file(source, target, fs::copy_options::overwrite_existing, error);
    if (error) return sdk::Status::unavailable("writing " + target.string() + ": " + error.message());
    return sdk::Status::ok();
  }
  sdk::Status finish() override { return sdk::Status::ok(); }

 private:
  fs::path prepare(const std::string& path) {
    auto target = root_ / path;
    std::error_code ignored;
    fs::create_directories(target.parent_path(), ignored);
    return target;
  }
  fs::path root_;
};

std::string blob_path(const sdk::Digest& digest) { return "blobs/" + digest.algorithm() + "/" + digest.encoded(); }

// "docker.io/library/app:1" -> "app:1", as `docker images` shows and `docker save` writes.
std::string familiar(const std::string& name) {
  for (const std::string prefix : {"docker.io/library/", "docker.io/"})
    if (name.rfind(prefix, 0) == 0) return name.substr(prefix.size());
  return name;
}

std::string tag_of(const std::string& name) {
  auto colon = name.rfind(':');
  auto slash = name.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "latest";
  return name.substr(colon + 1);
}

json descriptor_json(const sdk::Descriptor& descriptor) {
  json out = {{"mediaType", descriptor.media_type}, {"digest", descriptor.digest.str()}, {"size", descriptor.size}};
  if (descriptor.platform) {
    json platform = {{"os", descriptor.platform->os}, {"architecture", descriptor.platform->architecture}};
    if (!descriptor.platform->variant.empty()) platform["variant"] = descriptor.platform->variant;
    out["platform"] = platform;
  }
  return out;
}

}  // namespace

std::vector<std::string> image_names(const sdk::Attributes& attributes) {
  std::vector<std::string> names;
  auto found = attributes.find("name");
  if (found == attributes.end()) return names;
  std::size_t start = 0;
  while (start <= found->second.size()) {
    auto comma = found->second.find(',', start);
    auto name = found->second.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!name.empty()) names.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

sdk::Status check_file_dest(const std::string& dest) {
  if (dest == "-") {
    if (::isatty(1)) return sdk::Status::invalid_argument("dest=-: refusing to write a tarball to a terminal");
    return sdk::Status::ok();
  }
  const fs::path path = fs::absolute(dest);
  std::error_code error;
  if (fs::is_directory(path, error)) return sdk::Status::invalid_argument("dest " + path.string() + " is a directory");
  if (!fs::is_directory(path.parent_path(), error))
    return sdk::Status::invalid_argument("dest " + path.string() + ": directory " + path.parent_path().string() +
                                         " does not exist");
  if (::access(path.parent_path().c_str(), W_OK) != 0)
    return sdk::Status::permission_denied("dest " + path.string() + ": " + path.parent_path().string() + " is not writable");
  return sdk::Status::ok();
}

sdk::Result<std::unique_ptr<LayoutWriter>> tar_writer(const std::string& dest, int fd) {
  auto writer = std::make_unique<TarWriter>();
  if (auto status = writer->open(dest, fd); !status) return status;
  return std::unique_ptr<LayoutWriter>(std::move(writer));
}

sdk::Result<std::unique_ptr<LayoutWriter>> directory_writer(const fs::path& dest) {
  std::error_code error;
  fs::create_directories(dest, error);
  if (error) return sdk::Status::unavailable("creating " + dest.string() + ": " + error.message());
  return std::unique_ptr<LayoutWriter>(std::make_unique<DirectoryWriter>(dest));
}

sdk::Result<std::vector<LayoutImage>> layout_images(const sdk::Attributes& attributes, const sdk::ImageOptions& options,
                                                    const std::vector<std::string>& names, sdk::ExportSource& source) {
  auto annotations = parse_annotations(attributes);
  if (!annotations) return annotations.status();
  std::vector<LayoutImage> images;
  for (const auto& platform : source.platforms()) {
    auto image = source.image(platform, options);
    if (!image) return image.status();
    auto annotated = annotate_manifest(std::move(*image), annotations->of(Annotations::Target::Manifest, platform),
                                       source.content());
    if (!annotated) return annotated.status();
    images.push_back({std::move(*annotated), names,
                      annotations->of(Annotations::Target::ManifestDescriptor, platform)});
  }
  return images;
}

sdk::Status write_layout(LayoutWriter& writer, const std::vector<LayoutImage>& images, sdk::ContentStore& content,
                         bool docker_manifest) {
  std::set<std::string> written;
  auto add_blob = [&](const sdk::Descriptor& descriptor) -> sdk::Status {
    if (!written.insert(descriptor.digest.str()).second) return sdk::Status::ok();
    auto path = content.path(descriptor.digest);
    if (!path) return path.status();
    return writer.add_file(blob_path(descriptor.digest), *path, descriptor.size);
  };
  json manifests = json::array();
  json docker = json::array();
  for (const auto& [image, names, descriptor_annotations] : images) {
    for (const auto& layer : image.layers)
      if (auto status = add_blob(layer); !status) return status;
    if (auto status = add_blob(image.config); !status) return status;
    if (auto status = add_blob(image.manifest); !status) return status;
    json plain = descriptor_json(image.manifest);
    for (const auto& [key, value] : descriptor_annotations) plain["annotations"][key] = value;
    if (names.empty()) manifests.push_back(plain);
    for (const auto& name : names) {
      json entry = plain;
      entry["annotations"]["io.containerd.image.name"] = name;
      entry["annotations"]["org.opencontainers.image.ref.name"] = tag_of(name);
      manifests.push_back(entry);
    }
    json layers = json::array();
    for (const auto& layer : image.layers) layers.push_back(blob_path(layer.digest));
    json tags = json::array();
    for (const auto& name : names) tags.push_back(familiar(name));
    docker.push_back({{"Config", blob_path(image.config.digest)}, {"RepoTags", tags}, {"Layers", layers}});
  }
  json index = {{"schemaVersion", 2}, {"mediaType", sdk::media_type::kOciIndex}, {"manifests", manifests}};
  if (auto status = writer.add_text("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"); !status) return status;
  if (auto status = writer.add_text("index.json", index.dump()); !status) return status;
  if (docker_manifest)
    if (auto status = writer.add_text("manifest.json", docker.dump()); !status) return status;
  return writer.finish();
}

}  // namespace dbuild::exporters
