// oci_layout.cpp: layout directories are read file by file; layout tarballs are scanned with
// libarchive (a tar has no index, so each read is a pass over it; layouts used as build inputs
// are small next to the layers they hold, which are read once).
#include "image/oci_layout.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "oci/image_config.hpp"

namespace dbuild::image {
namespace {

namespace fs = std::filesystem;
constexpr const char* kRefName = "org.opencontainers.image.ref.name";

// Reads files of a layout, directory or tar. `consume` gets the bytes of `relative` in chunks.
sdk::Status read_entry(const fs::path& layout, const std::string& relative,
                       const std::function<sdk::Status(const void*, std::size_t)>& consume) {
  std::error_code error;
  if (fs::is_directory(layout, error)) {
    std::ifstream in(layout / relative, std::ios::binary);
    if (!in) return sdk::Status::not_found(layout.string() + ": no " + relative);
    std::vector<char> buffer(1 << 20);
    while (in) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      if (in.gcount() > 0)
        if (auto status = consume(buffer.data(), static_cast<std::size_t>(in.gcount())); !status) return status;
    }
    return sdk::Status::ok();
  }
  if (!fs::is_regular_file(layout, error)) return sdk::Status::not_found("no OCI layout at " + layout.string());
  std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_filename(reader.get(), layout.c_str(), 1 << 20) != ARCHIVE_OK)
    return sdk::Status::invalid_argument(layout.string() + ": " + archive_error_string(reader.get()));
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(entry);
    if (name.rfind("./", 0) == 0) name = name.substr(2);
    if (name != relative) continue;
    std::vector<char> buffer(1 << 20);
    while (true) {
      auto n = archive_read_data(reader.get(), buffer.data(), buffer.size());
      if (n < 0) return sdk::Status::invalid_argument(layout.string() + ": " + archive_error_string(reader.get()));
      if (n == 0) return sdk::Status::ok();
      if (auto status = consume(buffer.data(), static_cast<std::size_t>(n)); !status) return status;
    }
  }
  return sdk::Status::not_found(layout.string() + ": no " + relative);
}

sdk::Result<std::string> read_text(const fs::path& layout, const std::string& relative) {
  std::string text;
  auto status = read_entry(layout, relative, [&](const void* data, std::size_t size) {
    text.append(static_cast<const char*>(data), size);
    return sdk::Status::ok();
  });
  if (!status) return status;
  return text;
}

std::string blob_path(const sdk::Digest& digest) { return "blobs/" + digest.algorithm() + "/" + digest.encoded(); }

// Copies a blob into the content store, verified against its descriptor.
sdk::Status import_blob(const fs::path& layout, const sdk::Descriptor& descriptor, sdk::ContentStore& content) {
  if (content.exists(descriptor.digest)) return sdk::Status::ok();
  auto writer = content.writer();
  if (!writer) return writer.status();
  auto status = read_entry(layout, blob_path(descriptor.digest),
                           [&](const void* data, std::size_t size) { return (*writer)->write(data, size); });
  if (!status) return status;
  auto committed = (*writer)->commit(descriptor.digest, descriptor.size);
  if (!committed) return committed.status().with_context(layout.string() + ": blob " + descriptor.digest.str());
  return sdk::Status::ok();
}

sdk::Result<std::string> stored_text(const fs::path& layout, const sdk::Descriptor& descriptor,
                                     sdk::ContentStore& content) {
  if (auto status = import_blob(layout, descriptor, content); !status) return status;
  return content.read(descriptor.digest);
}

sdk::Result<sdk::Descriptor> choose_entry(const LayoutRef& ref, const oci::Index& index) {
  std::vector<const sdk::Descriptor*> candidates;
  for (const auto& entry : index.manifests) {
    auto name = entry.annotations.find(kRefName);
    if (!ref.digest.empty() ? entry.digest.str() == ref.digest
                            : ref.tag.empty() || (name != entry.annotations.end() && name->second == ref.tag))
      candidates.push_back(&entry);
  }
  const std::string what = ref.path.string() + (ref.tag.empty() ? "" : ":" + ref.tag);
  if (candidates.empty()) {
    if (!ref.digest.empty()) {  // a digest need not be listed in index.json: it may be nested
      sdk::Descriptor direct;
      direct.digest = *sdk::Digest::parse(ref.digest);
      return direct;
    }
    return sdk::Status::not_found("OCI layout " + what + ": no image " +
                                  (ref.tag.empty() ? "in index.json" : "tagged \"" + ref.tag + "\""));
  }
  if (candidates.size() > 1)
    return sdk::Status::invalid_argument("OCI layout " + what + " holds " + std::to_string(candidates.size()) +
                                         " images: name one with :TAG or @DIGEST");
  return *candidates.front();
}

}  // namespace

sdk::Result<LayoutRef> parse_layout_ref(std::string_view identifier) {
  LayoutRef ref;
  std::string text(identifier);
  if (auto at = text.find('@'); at != std::string::npos) {
    auto digest = sdk::Digest::parse(text.substr(at + 1));
    if (!digest) return digest.status();
    ref.digest = digest->str();
    text = text.substr(0, at);
  }
  auto colon = text.rfind(':');
  auto slash = text.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = text.substr(colon + 1);
    text = text.substr(0, colon);
  }
  if (text.empty()) return sdk::Status::invalid_argument("oci-layout: empty path");
  ref.path = text;
  return ref;
}

sdk::Result<std::vector<std::string>> config_diff_ids(std::string_view config_json) {
  auto config = oci::parse_config(config_json);
  if (!config) return config.status().with_context("reading the image config");
  for (const auto& id : config->diff_ids)
    if (!sdk::Digest::parse(id))
      return sdk::Status::invalid_argument("image config has an invalid diff id \"" + id + "\"");
  return std::move(config->diff_ids);
}

sdk::Result<ResolvedImage> resolve_oci_layout(const LayoutRef& ref, const sdk::Platform& platform,
                                              sdk::ContentStore& content) {
  auto index_text = read_text(ref.path, "index.json");
  if (!index_text) return index_text.status().with_context("reading OCI layout " + ref.path.string());
  auto index = oci::parse_index(*index_text);
  if (!index) return index.status().with_context(ref.path.string() + "/index.json");
  auto entry = choose_entry(ref, *index);
  if (!entry) return entry.status();

  sdk::Descriptor manifest = *entry;
  auto text = stored_text(ref.path, manifest, content);
  if (!text) return text.status();
  // Resolve nested indexes to the platform's manifest.
  auto is_index = [&] {
    return oci::is_index_type(manifest.media_type) || oci::is_index_type(oci::declared_media_type(*text));
  };
  for (int depth = 0; is_index(); ++depth) {
    if (depth > 4) return sdk::Status::invalid_argument(ref.path.string() + ": indexes nested too deep");
    auto nested = oci::parse_index(*text);
    if (!nested) return nested.status();
    auto chosen = oci::select_platform(*nested, platform);
    if (!chosen)
      return sdk::Status::not_found("OCI layout " + ref.path.string() + " has no image for " + platform.str());
    manifest = nested->manifests[*chosen];
    text = stored_text(ref.path, manifest, content);
    if (!text) return text.status();
  }
  auto parsed = oci::parse_manifest(*text);
  if (!parsed) return parsed.status().with_context(ref.path.string() + ": manifest " + manifest.digest.str());
  manifest.media_type = parsed->media_type;
  manifest.size = static_cast<std::int64_t>(text->size());
  auto config = stored_text(ref.path, parsed->config, content);
  if (!config) return config.status();
  auto diff_ids = config_diff_ids(*config);
  if (!diff_ids) return diff_ids.status().with_context(ref.path.string());
  if (diff_ids->size() != parsed->layers.size())
    return sdk::Status::invalid_argument(ref.path.string() + ": the config lists " + std::to_string(diff_ids->size()) +
                                         " layers, the manifest " + std::to_string(parsed->layers.size()));
  return ResolvedImage{manifest, std::move(*parsed), std::move(*config), std::move(*diff_ids)};
}

sdk::Status import_layers(const LayoutRef& ref, const ResolvedImage& image, sdk::ContentStore& content) {
  for (const auto& layer : image.parsed.layers)
    if (auto status = import_blob(ref.path, layer, content); !status) return status;
  return sdk::Status::ok();
}

}  // namespace dbuild::image
