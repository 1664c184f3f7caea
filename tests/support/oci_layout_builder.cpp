// oci_layout_builder.cpp: tar, gzip and sha256sum driven from the test, JSON written by hand.
#include "support/oci_layout_builder.hpp"

#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/busybox_rootfs.hpp"
#include "support/process.hpp"

namespace dbuild::test {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void run_or_fail(const std::vector<std::string>& argv) {
  auto result = run_process(argv);
  INFO("command: " << argv.front() << " " << (argv.size() > 1 ? argv[1] : "") << "\nstderr: " << result.err);
  REQUIRE(result.exit_code == 0);
}

// Moves `file` into blobs/sha256/ under its digest; returns the digest.
std::string store_blob(const fs::path& layout, const fs::path& file) {
  auto digest = sha256sum_of(file);
  fs::create_directories(layout / "blobs/sha256");
  fs::rename(file, layout / "blobs/sha256" / digest.substr(7));
  return digest;
}

std::string store_text(const fs::path& layout, const std::string& text) {
  auto temp = layout / "blob.tmp";
  std::ofstream(temp, std::ios::binary) << text;
  return store_blob(layout, temp);
}

}  // namespace

std::string sha256sum_of(const fs::path& file) {
  auto result = run_process({"sha256sum", file.string()});
  REQUIRE(result.exit_code == 0);
  return "sha256:" + result.out.substr(0, 64);
}

LayoutImage make_oci_layout(const fs::path& layout, const std::string& tag, const std::vector<fs::path>& layer_dirs,
                            const std::string& config_json) {
  fs::create_directories(layout / "blobs/sha256");
  LayoutImage image{layout, tag, {}, {}};
  json layers = json::array();
  json history = json::array();
  for (const auto& dir : layer_dirs) {
    auto tar = layout / "layer.tar";
    run_or_fail({"tar", "--numeric-owner", "--xattrs", "-C", dir.string(), "-cf", tar.string(), "."});
    image.diff_ids.push_back(sha256sum_of(tar));
    run_or_fail({"gzip", "-n", "-f", tar.string()});
    auto gz = layout / "layer.tar.gz";
    auto size = static_cast<std::int64_t>(fs::file_size(gz));
    auto digest = store_blob(layout, gz);
    layers.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"}, {"digest", digest}, {"size", size}});
    history.push_back({{"created_by", "test layer " + dir.filename().string()}});
  }
  json config = json::parse(config_json);
  config["architecture"] = "amd64";
  config["os"] = "linux";
  if (!config.contains("config")) config["config"] = json::object();
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", image.diff_ids}};
  config["history"] = history;
  auto config_text = config.dump();
  auto config_digest = store_text(layout, config_text);
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config",
                    {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                     {"digest", config_digest},
                     {"size", config_text.size()}}},
                   {"layers", layers}};
  auto manifest_text = manifest.dump();
  image.manifest_digest = store_text(layout, manifest_text);
  json index = {{"schemaVersion", 2},
                {"mediaType", "application/vnd.oci.image.index.v1+json"},
                {"manifests",
                 {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"digest", image.manifest_digest},
                   {"size", manifest_text.size()},
                   {"annotations", {{"org.opencontainers.image.ref.name", tag}}},
                   {"platform", {{"architecture", "amd64"}, {"os", "linux"}}}}}}};
  std::ofstream(layout / "index.json") << index.dump();
  std::ofstream(layout / "oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
  return image;
}

LayoutImage make_busybox_layout(const fs::path& layout, const std::string& tag) {
  auto rootfs = layout.parent_path() / (layout.filename().string() + "-rootfs");
  make_busybox_rootfs(rootfs);
  auto image = make_oci_layout(layout, tag, {rootfs},
                               R"({"config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                                              "Cmd": ["sh"]}})");
  fs::remove_all(rootfs);
  return image;
}

}  // namespace dbuild::test
