// imagetools_inspect.cpp: `dbuild imagetools inspect REF`: a manifest or index in a registry,
// shown as buildx shows it: its text form (Name, MediaType, Digest, and an index's manifests
// with their platforms and annotations), the registry's bytes (--raw), or JSON (--format json).
#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <dbuild/sdk/descriptor.hpp>

#include "cli/command.hpp"
#include "cli/imagetools/imagetools.hpp"
#include "cli/imagetools/imagetools_sources.hpp"
#include "cli/registry_access.hpp"
#include "registry/registry_service.hpp"
#include "oci/image_format.hpp"

namespace dbuild::cli::imagetools {
namespace {

using ordered_json = nlohmann::ordered_json;

// What --format asks for: buildx's Go templates, limited to the ones that make sense here.
enum class Format { Text, Json, ManifestJson, ImageJson };

std::optional<Format> parse_format(const std::string& text) {
  if (text.empty() || text == "{{.Manifest}}") return Format::Text;
  if (text == "json" || text == "{{json .}}") return Format::Json;
  if (text == "{{json .Manifest}}") return Format::ManifestJson;
  if (text == "{{json .Image}}") return Format::ImageJson;
  return std::nullopt;
}

using Rows = std::vector<std::pair<std::string, std::string>>;

// Labels padded to one column, as buildx's tabwriter aligns them within a block.
std::size_t label_width(const Rows& rows) {
  std::size_t width = 0;
  for (const auto& [label, value] : rows) width = std::max(width, label.size());
  return width + 1;
}

void print_rows(std::ostream& out, const Rows& rows, std::size_t width, const std::string& indent) {
  for (const auto& [label, value] : rows) {
    if (value.empty()) {
      out << indent << label << "\n";
      continue;
    }
    out << indent << fmt::format("{:<{}}{}", label, width, value) << "\n";
  }
}

void add_annotations(Rows& rows, const std::map<std::string, std::string>& annotations) {
  if (annotations.empty()) return;
  rows.emplace_back("Annotations:", "");
}

void print_annotations(std::ostream& out, const std::map<std::string, std::string>& annotations,
                       const std::string& indent) {
  std::size_t width = 0;
  for (const auto& [key, value] : annotations) width = std::max(width, key.size() + 1);
  for (const auto& [key, value] : annotations) out << indent << fmt::format("{:<{}} {}", key + ":", width, value) << "\n";
}

// Prints rows, with the annotations after the row that announces them.
void print_block(std::ostream& out, const Rows& rows, std::size_t width, const std::string& indent,
                 const std::map<std::string, std::string>& annotations) {
  print_rows(out, rows, width, indent);
  if (!annotations.empty()) print_annotations(out, annotations, indent + "  ");
}

sdk::Status print_text(std::ostream& out, const oci::Reference& reference, const registry::FetchedManifest& fetched) {
  Rows header{{"Name:", reference.str()}, {"MediaType:", fetched.media_type}, {"Digest:", fetched.digest.str()}};
  std::map<std::string, std::string> annotations;
  std::vector<sdk::Descriptor> manifests;
  if (oci::is_index_type(fetched.media_type)) {
    auto index = oci::parse_index(fetched.bytes);
    if (!index) return index.status().with_context("reading " + reference.str());
    annotations = index->annotations;
    manifests = index->manifests;
  } else {
    auto manifest = oci::parse_manifest(fetched.bytes);
    if (!manifest) return manifest.status().with_context("reading " + reference.str());
    annotations = manifest->annotations;
  }
  add_annotations(header, annotations);
  print_block(out, header, label_width(header), "", annotations);
  if (manifests.empty()) return sdk::Status::ok();

  std::vector<Rows> blocks;
  std::size_t width = 0;
  for (const auto& descriptor : manifests) {
    auto name = reference;
    name.digest = descriptor.digest.str();
    Rows rows{{"Name:", name.str()}, {"MediaType:", descriptor.media_type}};
    if (descriptor.platform) rows.emplace_back("Platform:", descriptor.platform->str());
    add_annotations(rows, descriptor.annotations);
    width = std::max(width, label_width(rows));
    blocks.push_back(std::move(rows));
  }
  out << "\nManifests:\n";
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i > 0) out << "\n";
    print_block(out, blocks[i], width, "  ", manifests[i].annotations);
  }
  return sdk::Status::ok();
}

// The document as the registry wrote it, with its digest and size after the media type (buildx's
// `.Manifest` carries them the same way).
ordered_json manifest_json(const registry::FetchedManifest& fetched) {
  auto document = ordered_json::parse(fetched.bytes, nullptr, false);
  ordered_json out;
  if (document.contains("schemaVersion")) out["schemaVersion"] = document["schemaVersion"];
  out["mediaType"] = fetched.media_type;
  out["digest"] = fetched.digest.str();
  out["size"] = fetched.bytes.size();
  if (document.is_object())
    for (const auto& [key, value] : document.items())
      if (!out.contains(key)) out[key] = value;
  return out;
}

sdk::Result<ordered_json> image_config(registry::RegistryClient& client, const oci::Reference& repository,
                                       const std::string& manifest_bytes) {
  auto manifest = oci::parse_manifest(manifest_bytes);
  if (!manifest) return manifest.status();
  auto config = client.fetch_blob(repository, manifest->config);
  if (!config) return config.status();
  auto parsed = ordered_json::parse(*config, nullptr, false);
  if (parsed.is_discarded()) return sdk::Status::invalid_argument("the image config is not JSON");
  return parsed;
}

// buildx's `.Image`: the config of a single image; for an index, the config of each platform's
// image by "os/arch[/variant]", or just the one when there is only one.
sdk::Result<ordered_json> images_json(registry::RegistryClient& client, const oci::Reference& reference,
                                      const registry::FetchedManifest& fetched) {
  if (!oci::is_index_type(fetched.media_type)) return image_config(client, reference, fetched.bytes);
  auto index = oci::parse_index(fetched.bytes);
  if (!index) return index.status();
  ordered_json images = ordered_json::object();
  for (const auto& descriptor : index->manifests) {
    if (!descriptor.platform || descriptor.platform->os == "unknown" || !oci::is_manifest_type(descriptor.media_type))
      continue;
    auto manifest = client.fetch_manifest(reference, descriptor.digest);
    if (!manifest) return manifest.status();
    auto config = image_config(client, reference, manifest->bytes);
    if (!config) return config.status().with_context("reading the config of " + descriptor.digest.str());
    images[descriptor.platform->str()] = std::move(*config);
  }
  if (images.size() == 1) return images.begin().value();
  return images;
}

sdk::Status print_json(std::ostream& out, Format format, registry::RegistryClient& client, const std::string& name,
                       const oci::Reference& reference, const registry::FetchedManifest& fetched) {
  auto manifest = manifest_json(fetched);
  if (format == Format::ManifestJson) {
    out << manifest.dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
    return sdk::Status::ok();
  }
  auto images = images_json(client, reference, fetched);
  if (!images) return images.status().with_context("inspecting " + reference.str());
  if (format == Format::ImageJson) {
    out << images->dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
    return sdk::Status::ok();
  }
  ordered_json document{{"name", name}, {"manifest", std::move(manifest)}};
  if (!images->empty()) document["image"] = std::move(*images);
  out << document.dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
  return sdk::Status::ok();
}

int run_inspect(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] NAME",
                       "Show details of an image in the registry: a manifest, or an index and the manifests it lists.\n"
                       "NAME is a reference with a tag or a digest (registry/repository:tag, ...@sha256:...).");
  parser.add_options()("format", po::value<std::string>()->default_value(""),
                       "json: the name, the manifest and the image\n"
                       "configs as JSON; also the templates {{json .}},\n"
                       "{{json .Manifest}}, {{json .Image}}, {{.Manifest}}")(
      "raw", po::bool_switch(), "print the manifest or index exactly as the\nregistry serves it");
  parser.positional("name", 1, 1);
  if (auto exit = parser.parse(app, args)) return *exit;
  const auto& values = parser.values();
  auto format_text = values["format"].as<std::string>();
  auto format = parse_format(format_text);
  if (!format)
    return usage_error(app, path,
                       fmt::format("unsupported format \"{}\": use json, {{{{json .}}}}, {{{{json .Manifest}}}}, "
                                   "{{{{json .Image}}}} or {{{{.Manifest}}}}",
                                   format_text));
  const bool raw = values["raw"].as<bool>();
  if (raw && !format_text.empty()) return usage_error(app, path, "--format and --raw cannot be used together");
  auto name = parser.positionals().front();
  auto reference = parse_user_reference(name);
  if (!reference) return usage_error(app, path, reference.status().message());

  auto found_client = app.registry().client();
  if (!found_client) return report_error(app, found_client.status());
  auto& client = **found_client;
  auto fetched = client.fetch_manifest(*reference);
  if (!fetched) return report_error(app, with_registry_hint(fetched.status(), reference->domain));
  if (raw) {
    app.out() << fetched->bytes << std::flush;
    return kExitOk;
  }
  auto status = *format == Format::Text ? print_text(app.out(), *reference, *fetched)
                                        : print_json(app.out(), *format, client, name, *reference, *fetched);
  if (!status) return report_error(app, with_registry_hint(status, reference->domain));
  return kExitOk;
}

}  // namespace

Command inspect_command() { return {"inspect", "Show details of an image in the registry", run_inspect, {}}; }

}  // namespace dbuild::cli::imagetools
