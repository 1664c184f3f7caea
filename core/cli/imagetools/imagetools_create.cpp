// imagetools_create.cpp: `dbuild imagetools create -t REF SRC...`: an index assembled from
// manifests and indexes already in registries, pushed to each tag after the manifests it names
// (mounted within a registry, copied through a scratch store from another), or printed with
// --dry-run.
#include <fstream>
#include <iterator>
#include <ostream>
#include <set>

#include <fmt/format.h>

#include "cli/imagetools/imagetools.hpp"
#include "cli/imagetools/imagetools_index.hpp"
#include "cli/imagetools/imagetools_sources.hpp"
#include "cli/registry_access.hpp"
#include "registry/registry_service.hpp"
#include "cli/imagetools/scratch_store.hpp"
#include "oci/image_format.hpp"

namespace dbuild::cli::imagetools {
namespace {

struct CreateInput {
  std::vector<oci::Reference> tags;
  std::vector<SourceSpec> sources;
  std::vector<Annotation> annotations;
  bool dry_run = false;
};

sdk::Result<std::string> read_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return sdk::Status::not_found(fmt::format("reading source file {}: cannot open it", file));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The command line, checked before anything goes to a registry. Returns an exit code when the
// command must stop.
std::optional<int> read_input(App& app, const CommandParser& parser, CreateInput& input) {
  const auto& values = parser.values();
  const auto& path = parser.path();
  auto list = [&](const char* name) {
    return values.count(name) ? values[name].as<std::vector<std::string>>() : std::vector<std::string>{};
  };
  input.dry_run = values["dry-run"].as<bool>();
  for (const auto& text : list("tag")) {
    auto tag = parse_user_reference(text);
    if (!tag) return usage_error(app, path, tag.status().message());
    if (!tag->digest.empty())
      return usage_error(app, path, fmt::format("tag \"{}\" has a digest: name a repository and tag to push to", text));
    input.tags.push_back(*tag);
  }
  if (input.tags.empty() && !input.dry_run)
    return usage_error(app, path, "no tag given: name where to push the index with -t REF (or print it with --dry-run)");
  if (values["append"].as<bool>()) {
    if (input.tags.empty()) return usage_error(app, path, "--append needs a tag (-t) naming the index to append to");
    input.sources.push_back({input.tags.front().str(), input.tags.front(), "", nullptr});
  }
  std::vector<std::string> texts;
  for (const auto& file : list("file")) {
    auto content = read_file(file);
    if (!content) return report_error(app, content.status());
    texts.push_back(std::move(*content));
  }
  for (const auto& text : parser.positionals()) texts.push_back(text);
  if (texts.empty()) return usage_error(app, path, "no source given: name at least one image or index (or -f FILE)");
  for (const auto& text : texts) {
    auto source = parse_source(text);
    if (!source) return usage_error(app, path, source.status().message());
    input.sources.push_back(std::move(*source));
  }
  for (const auto& text : list("annotation")) {
    auto annotation = parse_annotation(text);
    if (!annotation) return usage_error(app, path, annotation.status().message());
    input.annotations.push_back(std::move(*annotation));
  }
  if (auto status = bind_repositories(input.sources, input.tags); !status)
    return usage_error(app, path, status.message());
  return std::nullopt;
}

sdk::Descriptor descriptor_of(const nlohmann::json& json) {
  sdk::Descriptor descriptor;
  descriptor.media_type = json.value("mediaType", "");
  if (auto digest = sdk::Digest::parse(json.value("digest", ""))) descriptor.digest = *digest;
  descriptor.size = json.value("size", std::int64_t{0});
  return descriptor;
}

// Everything the index names, made present in the tag's repository.
class Copier {
 public:
  Copier(App& app, registry::RegistryClient& client) : app_(app), client_(client) {}

  sdk::Status copy(const oci::Reference& from, const oci::Reference& to, const sdk::Descriptor& root) {
    if (from.name() == to.name() || !copied_.insert(to.name() + "@" + root.digest.str()).second)
      return sdk::Status::ok();
    if (!scratch_) {
      auto made = ScratchStore::create();
      if (!made) return made.status();
      scratch_ = std::move(*made);
    }
    app_.err() << fmt::format("copying {} from {} to {}\n", root.digest.str(), from.name(), to.name());
    return client_.copy_image(from, to, root, scratch_->store());
  }

 private:
  App& app_;
  registry::RegistryClient& client_;
  std::unique_ptr<ScratchStore> scratch_;  // made when a copy is first needed
  std::set<std::string> copied_;           // "repository@digest" already there
};

sdk::Status push_index(App& app, registry::RegistryClient& client, const CreateInput& input,
                       const std::vector<ResolvedSource>& sources, const IndexDocument& index, bool carbon_copy) {
  Copier copier(app, client);
  for (auto tag : input.tags) {
    for (const auto& source : sources) {
      if (carbon_copy) {
        if (auto status = copier.copy(source.reference, tag, source.root.descriptor()); !status) return status;
        continue;
      }
      for (const auto& entry : source.entries)
        if (auto status = copier.copy(entry.repository, tag, descriptor_of(entry.descriptor)); !status) return status;
    }
    app.err() << fmt::format("pushing {} to {}\n", index.digest.str(), tag.str());
    tag.digest.clear();
    auto pushed = client.push_manifest(tag, index.bytes, index.media_type);
    if (!pushed) return pushed.status();
  }
  return sdk::Status::ok();
}

int run_create(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(
      path, "[OPTIONS] [SOURCE...]",
      "Create a new image index from images and indexes already in registries, and push it to each tag.\n"
      "A SOURCE is a reference (REPOSITORY:TAG or REPOSITORY@DIGEST) or a digest in the first tag's repository;\n"
      "an index source contributes its manifests. With one index source the index is copied as it is.\n"
      "The index is a Docker manifest list when every manifest is a Docker one, an OCI index otherwise.");
  auto many = [] { return po::value<std::vector<std::string>>()->composing(); };
  parser.add_options()(
      "annotation", many(),
      "add an annotation KEY=VALUE to the index, or\n"
      "index:KEY=VALUE, manifest-descriptor:KEY=VALUE,\n"
      "manifest-descriptor[linux/amd64,...]:KEY=VALUE")(
      "append", po::bool_switch(), "append the sources to the index the first tag\nnames")(
      "dry-run", po::bool_switch(), "print the index instead of pushing it")(
      "file,f", many(), "read a source from FILE: a reference, a digest,\nor an OCI descriptor as JSON")(
      "tag,t", many(), "where to push the new index (repeatable)");
  parser.positional("source", -1, 0);
  if (auto exit = parser.parse(app, args)) return *exit;
  CreateInput input;
  if (auto exit = read_input(app, parser, input)) return *exit;

  auto found_client = app.registry().client();
  if (!found_client) return report_error(app, found_client.status());
  auto& client = **found_client;
  std::vector<ResolvedSource> sources;
  std::vector<Entry> entries;
  for (const auto& spec : input.sources) {
    auto resolved = resolve_source(client, spec);
    if (!resolved) return report_error(app, with_registry_hint(resolved.status(), spec.reference->domain));
    entries.insert(entries.end(), resolved->entries.begin(), resolved->entries.end());
    sources.push_back(std::move(*resolved));
  }
  const bool carbon_copy =
      sources.size() == 1 && oci::is_index_type(sources.front().root.media_type) && input.annotations.empty();
  IndexDocument index;
  if (carbon_copy) {
    const auto& root = sources.front().root;
    index = {root.bytes, root.media_type, root.digest};
  } else {
    auto assembled = assemble_index(entries, input.annotations);
    if (!assembled) return report_error(app, assembled.status());
    index = std::move(*assembled);
  }
  if (input.dry_run) {
    app.out() << index.bytes << "\n";
    return kExitOk;
  }
  if (auto status = push_index(app, client, input, sources, index, carbon_copy); !status)
    return report_error(app, with_registry_hint(status, input.tags.front().domain));
  app.out() << index.digest.str() << "\n";
  return kExitOk;
}

}  // namespace

Command create_command() {
  return {"create", "Create a new image index from images and indexes in registries", run_create, {}};
}

}  // namespace dbuild::cli::imagetools
