// exporter_image_test.cpp: the oci and docker exporters checked by tools nobody here wrote:
// skopeo, umoci and buildah read the OCI layouts, gzip decompresses the layers, a private dockerd
// loads the docker tarball and `--load`, `docker run` runs the result, and python3-jsonschema
// judges every JSON document of the layouts by the OCI image spec's schemas.
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "build_workspace.hpp"
#include "support/conformance.hpp"
#include "support/dockerd.hpp"
#include "support/oci_reader_check.hpp"
#include "support/oci_schema.hpp"
#include "support/skip.hpp"

namespace fs = std::filesystem;
using dbuild::test::read_file;
using dbuild::test::write_file;
using nlohmann::json;

namespace {

// A context whose Dockerfile builds on the busybox layout (a named build context) and writes a
// file the checks look for; CMD prints it.
struct ImageWorkspace {
  dbuild::test::Workspace workspace;
  ImageWorkspace() {
    write_file(workspace.context / "Dockerfile",
               "FROM base\n"
               "RUN echo made-by-dbuild > /proof.txt\n"
               "COPY a.txt /a.txt\n"
               "CMD [\"cat\", \"/proof.txt\"]\n");
  }
  dbuild::test::ProcessResult build(std::vector<std::string> extra,
                                    std::map<std::string, std::optional<std::string>> environment = {}) {
    std::vector<std::string> args = {"--root", workspace.root.string(), "build", "--progress", "plain",
                                     "--build-context", "base=oci-layout://" + workspace.base.reference()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(workspace.context.string());
    return dbuild::test::run_dbuild(args, std::move(environment));
  }
  fs::path path(const std::string& name) const { return workspace.dir.path() / name; }
};

bool have(const char* tool) { return dbuild::test::run_process({"sh", "-c", std::string("command -v ") + tool}).exit_code == 0; }

// The JSON documents of an OCI layout directory, each named and typed as written: oci-layout,
// index.json, and every index, manifest and config reached from it. `blobs` gets every blob reached.
struct LayoutDocuments {
  std::vector<std::string> names;
  std::vector<dbuild::test::SchemaCheck> checks;
  std::set<std::string> blobs;

  void add(std::string name, std::string media_type, std::string text) {
    names.push_back(std::move(name));
    checks.push_back({std::move(media_type), std::move(text)});
  }
  // Follows a descriptor: indexes and manifests are read and followed, layers only noted.
  void follow(const fs::path& layout, const json& descriptor) {
    const std::string digest = descriptor["digest"];
    const std::string media_type = descriptor["mediaType"];
    blobs.insert(digest);
    if (media_type.find("layer") != std::string::npos || media_type.find("rootfs") != std::string::npos) return;
    const std::string text = read_file(layout / "blobs/sha256" / digest.substr(7));
    add(digest, media_type, text);
    const json doc = json::parse(text);
    if (dbuild::oci::is_index_type(media_type))
      for (const auto& child : doc["manifests"]) follow(layout, child);
    if (!dbuild::oci::is_manifest_type(media_type)) return;
    follow(layout, doc["config"]);
    for (const auto& layer : doc["layers"]) follow(layout, layer);
  }
};

LayoutDocuments documents_of(const fs::path& layout) {
  LayoutDocuments documents;
  documents.add("oci-layout", "application/vnd.oci.layout.header.v1+json", read_file(layout / "oci-layout"));
  const std::string text = read_file(layout / "index.json");
  documents.add("index.json", "application/vnd.oci.image.index.v1+json", text);
  const json index = json::parse(text);
  for (const auto& entry : index["manifests"]) documents.follow(layout, entry);
  return documents;
}

}  // namespace

TEST_CASE("the oci exporter writes a layout skopeo and umoci read, with gzip layers gzip reads", "[integration][export][oci]") {
  ImageWorkspace image;
  if (!have("skopeo") || !have("umoci")) dbuild::test::skip_test("needs skopeo and umoci (apt-get install skopeo umoci)");
  auto tarball = image.path("image.tar");
  auto result = image.build({"-o", "type=oci,dest=" + tarball.string() + ",name=example/app:1"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);

  auto inspected = dbuild::test::run_process({"skopeo", "inspect", "oci-archive:" + tarball.string()});
  INFO(inspected.err);
  REQUIRE(inspected.exit_code == 0);
  auto doc = json::parse(inspected.out);
  CHECK(doc["Os"] == "linux");
  CHECK(doc["Layers"].size() == 3);

  auto layout = image.path("layout");
  fs::create_directories(layout);
  REQUIRE(dbuild::test::run_process({"tar", "-xf", tarball.string(), "-C", layout.string()}).exit_code == 0);
  auto index = json::parse(read_file(layout / "index.json"));
  REQUIRE(index["manifests"].size() == 1);
  CHECK(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "1");
  auto manifest_digest = index["manifests"][0]["digest"].get<std::string>();
  auto manifest = json::parse(read_file(layout / "blobs/sha256" / manifest_digest.substr(7)));
  for (const auto& layer : manifest["layers"]) {
    CHECK(layer["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip");
    auto blob = layout / "blobs/sha256" / layer["digest"].get<std::string>().substr(7);
    CHECK(dbuild::test::sha256sum_of(blob) == layer["digest"]);
    CHECK(dbuild::test::run_process({"gzip", "-t", blob.string()}).exit_code == 0);
  }
  auto unpacked = image.path("unpacked");
  auto umoci = dbuild::test::run_process({"umoci", "unpack", "--image", layout.string() + ":1", unpacked.string()});
  INFO(umoci.err);
  REQUIRE(umoci.exit_code == 0);
  CHECK(read_file(unpacked / "rootfs/proof.txt") == "made-by-dbuild\n");
  CHECK(read_file(unpacked / "rootfs/a.txt") == "alpha\n");

  // buildah takes the tarball as an image, into a storage of its own.
  if (!have("buildah")) dbuild::test::skip_test("needs buildah (apt-get install buildah)");
  const std::string storage = image.path("buildah").string();
  std::vector<std::string> buildah = {"buildah", "--root", storage + "/root", "--runroot", storage + "/run",
                                      "--storage-driver", "vfs"};
  auto pull = buildah;
  pull.insert(pull.end(), {"pull", "-q", "oci-archive:" + tarball.string()});
  auto pulled = dbuild::test::run_process(pull);
  INFO(pulled.err);
  REQUIRE(pulled.exit_code == 0);
  auto inspect = buildah;
  inspect.insert(inspect.end(), {"inspect", "--type", "image", pulled.out.substr(0, pulled.out.find('\n'))});
  auto inspected_by_buildah = dbuild::test::run_process(inspect);
  INFO(inspected_by_buildah.err);
  REQUIRE(inspected_by_buildah.exit_code == 0);
  auto buildah_doc = json::parse(inspected_by_buildah.out);
  CHECK(buildah_doc["OCIv1"]["config"]["Cmd"] == json::array({"cat", "/proof.txt"}));
  CHECK(buildah_doc["OCIv1"]["rootfs"]["diff_ids"].size() == 3);
}

TEST_CASE("the oci exporter writes a layout directory and zstd layers on request", "[integration][export][oci]") {
  ImageWorkspace image;
  if (!have("zstd")) dbuild::test::skip_test("needs zstd (apt-get install zstd)");
  auto layout = image.path("dir-layout");
  auto result = image.build({"-o", "type=oci,dest=" + layout.string() + ",tar=false,compression=zstd"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto index = json::parse(read_file(layout / "index.json"));
  auto manifest = json::parse(read_file(layout / "blobs/sha256" / index["manifests"][0]["digest"].get<std::string>().substr(7)));
  // The base image's layer keeps the compression it came with (no force-compression); the
  // build's own layers are zstd, as BuildKit does it.
  REQUIRE(manifest["layers"].size() == 3);
  CHECK(manifest["layers"][0]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip");
  CHECK(manifest["layers"][1]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+zstd");
  CHECK(manifest["layers"][2]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+zstd");
  auto zstd_blob = layout / "blobs/sha256" / manifest["layers"][1]["digest"].get<std::string>().substr(7);
  if (have("zstd")) CHECK(dbuild::test::run_process({"zstd", "-t", zstd_blob.string()}).exit_code == 0);
  auto bad = image.build({"-o", "type=oci,dest=" + image.path("x.tar").string() + ",compression=lz4"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("compression=lz4"));
}

namespace {

// Layers compressed for a tarball go straight into it (ExportSource::image_into); a tarball
// on stdout (a pipe) takes them from the content store instead. Both must hold the same bytes.
std::vector<std::string> layer_digests(const fs::path& layout) {
  auto index = json::parse(read_file(layout / "index.json"));
  auto manifest = json::parse(read_file(layout / "blobs/sha256" / index["manifests"][0]["digest"].get<std::string>().substr(7)));
  std::vector<std::string> digests;
  for (const auto& layer : manifest["layers"]) {
    const std::string digest = layer["digest"];
    CHECK(dbuild::test::sha256sum_of(layout / "blobs/sha256" / digest.substr(7)) == digest);
    CHECK(fs::file_size(layout / "blobs/sha256" / digest.substr(7)) == layer["size"].get<std::uintmax_t>());
    digests.push_back(digest);
  }
  return digests;
}

fs::path extract(ImageWorkspace& image, const fs::path& tarball) {
  auto layout = image.path(tarball.filename().string() + ".d");
  fs::create_directories(layout);
  auto extracted = dbuild::test::run_process({"tar", "-xf", tarball.string(), "-C", layout.string()});
  INFO(extracted.err);
  CHECK(extracted.exit_code == 0);
  return layout;
}

}  // namespace

TEST_CASE("layers compressed into a tarball file hold what a tarball on stdout holds, each blob once",
          "[integration][export][oci]") {
  ImageWorkspace image;
  if (!have("skopeo")) dbuild::test::skip_test("needs skopeo (apt-get install skopeo)");
  // The same COPY twice makes the same layer twice: the tarball must hold its blob once.
  write_file(image.workspace.context / "Dockerfile",
             "FROM base\n"
             "COPY a.txt /a.txt\n"
             "COPY a.txt /a.txt\n"
             "RUN seq 1 200000 > /numbers\n");
  auto in_file = image.path("file.tar");
  auto first = image.build({"-o", "type=oci,dest=" + in_file.string() + ",compression=zstd"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  auto listing = dbuild::test::run_process({"tar", "-tvf", in_file.string()});
  REQUIRE(listing.exit_code == 0);
  std::set<std::string> names;
  std::istringstream lines(listing.out);
  for (std::string line; std::getline(lines, line);) {
    const auto name = line.substr(line.rfind(' ') + 1);
    INFO(listing.out);
    CHECK(names.insert(name).second);
  }
  auto inspected = dbuild::test::run_process({"skopeo", "inspect", "oci-archive:" + in_file.string()});
  INFO(inspected.err);
  REQUIRE(inspected.exit_code == 0);
  const auto from_file = layer_digests(extract(image, in_file));
  REQUIRE(from_file.size() == 4);
  CHECK(from_file[1] == from_file[2]);

  auto piped = image.build({"-o", "type=oci,dest=-,compression=zstd"});
  INFO(piped.err);
  REQUIRE(piped.exit_code == 0);
  auto on_stdout = image.path("stdout.tar");
  write_file(on_stdout, piped.out);
  CHECK(layer_digests(extract(image, on_stdout)) == from_file);

  // Now the content store holds the layers: a third export copies them from there.
  auto again = image.path("again.tar");
  auto third = image.build({"-o", "type=oci,dest=" + again.string() + ",compression=zstd"});
  INFO(third.err);
  REQUIRE(third.exit_code == 0);
  CHECK(layer_digests(extract(image, again)) == from_file);
}

TEST_CASE("an export that runs out of space leaves no tarball and no half-written layer behind",
          "[integration][export][oci]") {
  dbuild::test::require_root();
  ImageWorkspace image;
  write_file(image.workspace.context / "Dockerfile", "FROM base\nRUN head -c 3000000 /dev/urandom > /noise\n");
  // A 1 MiB file system: the 3 MB layer cannot fit.
  auto small = image.path("small");
  fs::create_directories(small);
  REQUIRE(dbuild::test::run_process({"mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small.string()}).exit_code == 0);
  struct Unmount {
    fs::path path;
    ~Unmount() { (void)dbuild::test::run_process({"umount", path.string()}); }
  } unmount{small};
  auto dest = small / "image.tar";
  auto result = image.build({"-o", "type=oci,dest=" + dest.string() + ",compression=zstd"});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("No space left on device"));
  CHECK_FALSE(fs::exists(dest));
  auto layout = small / "layout";
  auto in_dir = image.build({"-o", "type=oci,tar=false,dest=" + layout.string() + ",compression=zstd"});
  CHECK(in_dir.exit_code == 1);
  CHECK_THAT(in_dir.err, Catch::Contains("No space left on device"));
  // No layer is left under its temporary name.
  CHECK(fs::is_empty(layout / "blobs/sha256"));
  // A dest that is a symlink is written through, and on failure the link itself stays.
  write_file(small / "target.tar", "");
  fs::create_symlink(small / "target.tar", small / "link.tar");
  auto through_link = image.build({"-o", "type=oci,dest=" + (small / "link.tar").string() + ",compression=zstd"});
  CHECK(through_link.exit_code == 1);
  CHECK(fs::is_symlink(small / "link.tar"));
  // The store is unharmed: the same export elsewhere works.
  auto elsewhere = image.path("fits.tar");
  auto fits = image.build({"-o", "type=oci,dest=" + elsewhere.string() + ",compression=zstd"});
  INFO(fits.err);
  CHECK(fits.exit_code == 0);
  CHECK(layer_digests(extract(image, elsewhere)).size() == 2);
}

TEST_CASE("the docker exporter's tarball loads into dockerd and runs: --load does it directly", "[integration][export][docker]") {
  ImageWorkspace image;
  // A layer of a few MiB, half incompressible: gzip'd as several members, some stored, which
  // docker's reader must take as one stream.
  write_file(image.workspace.context / "Dockerfile",
             "FROM base\n"
             "RUN echo made-by-dbuild > /proof.txt && head -c 3000000 /dev/urandom > /noise && seq 1 400000 > /text\n"
             "COPY a.txt /a.txt\n"
             "CMD [\"cat\", \"/proof.txt\"]\n");
  dbuild::test::Dockerd dockerd;
  auto tarball = image.path("docker.tar");
  auto result = image.build({"-t", "example/tarball:1", "-o", "type=docker,dest=" + tarball.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto loaded = dockerd.docker({"load", "-i", tarball.string()});
  INFO(loaded.out << loaded.err);
  REQUIRE(loaded.exit_code == 0);
  CHECK_THAT(loaded.out, Catch::Contains("example/tarball:1"));
  auto ran = dockerd.docker({"run", "--rm", "--network", "none", "example/tarball:1"});
  INFO(ran.err);
  CHECK(ran.out == "made-by-dbuild\n");
  auto sizes = dockerd.docker({"run", "--rm", "--network", "none", "example/tarball:1", "sh", "-c",
                               "wc -c < /noise; tail -n 1 /text"});
  CHECK(sizes.out == "3000000\n400000\n");

  auto direct = image.build({"-t", "example/direct:2", "-o", "type=docker"}, {{"DOCKER_HOST", dockerd.host()}});
  INFO(direct.err);
  REQUIRE(direct.exit_code == 0);
  auto ran_direct = dockerd.docker({"run", "--rm", "--network", "none", "example/direct:2", "cat", "/a.txt"});
  CHECK(ran_direct.out == "alpha\n");
}

TEST_CASE("a docker --load without an engine fails before the build runs", "[integration][export][docker]") {
  ImageWorkspace image;
  auto result = image.build({"-o", "type=docker"}, {{"DOCKER_HOST", "unix:///nonexistent/docker.sock"}});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("no Docker engine socket at /nonexistent/docker.sock"));
  CHECK(result.err.find("RUN echo") == std::string::npos);
}

TEST_CASE("every manifest, index, config and layout file the oci and docker exporters write is valid OCI",
          "[integration][export][oci][schema]") {
  ImageWorkspace image;
  const auto schemas = dbuild::test::conformance_corpus(DBUILD_CONFORMANCE_DIR, "oci-image-spec") / "schema";
  struct Output {
    std::string name;
    std::string exporter;
    bool tar;
  };
  const std::vector<Output> outputs = {
      {"oci-gzip.tar", "type=oci,name=example/app:1", true},
      {"oci-zstd", "type=oci,tar=false,compression=zstd", false},
      {"oci-uncompressed", "type=oci,tar=false,compression=uncompressed,name=example/app:2", false},
      {"oci-docker-types.tar", "type=oci,oci-mediatypes=false,force-compression=true", true},
      {"oci-forced-gzip", "type=oci,tar=false,force-compression=true,oci-mediatypes=true", false},
      {"docker.tar", "type=docker,name=example/app:4", true},
  };
  LayoutDocuments all;
  for (const auto& output : outputs) {
    auto dest = image.path(output.name);
    auto result = image.build({"-o", output.exporter + ",dest=" + dest.string()});
    INFO(output.exporter << "\n" << result.err);
    REQUIRE(result.exit_code == 0);
    fs::path layout = dest;
    if (output.tar) {
      layout = image.path(output.name + ".d");
      fs::create_directories(layout);
      REQUIRE(dbuild::test::run_process({"tar", "-xf", dest.string(), "-C", layout.string()}).exit_code == 0);
    }
    auto documents = documents_of(layout);
    // Nothing in the layout escapes the check: every blob is reached from index.json.
    for (const auto& entry : fs::directory_iterator(layout / "blobs/sha256"))
      CHECK(documents.blobs.count("sha256:" + entry.path().filename().string()) == 1);
    for (std::size_t i = 0; i < documents.checks.size(); ++i)
      all.add(output.name + ": " + documents.names[i], documents.checks[i].media_type, documents.checks[i].document);
  }
  const auto verdicts = dbuild::test::validate_with_oci_schemas(schemas, all.checks);
  for (std::size_t i = 0; i < all.checks.size(); ++i) {
    INFO(all.names[i] << " (" << all.checks[i].media_type << "):\n" << all.checks[i].document);
    INFO("schema: " << verdicts[i].error);
    CHECK(verdicts[i].valid);
    CHECK(dbuild::test::refusal_by_dbuild_reader(all.checks[i].media_type, all.checks[i].document).empty());
  }
  WARN(all.checks.size() << " documents from " << outputs.size() << " exporter outputs checked");
}

// A deliberate departure: BuildKit and docker write an image without layers (FROM scratch with
// no file changes) with "layers": [], which the spec allows ("SHOULD have at least one") but its
// schema refuses (minItems 1). dbuild writes what BuildKit writes; this is the schema's only complaint.
TEST_CASE("an image without layers has an empty layers list, as BuildKit writes it: the schema's one complaint",
          "[integration][export][oci][schema]") {
  ImageWorkspace image;
  const auto schemas = dbuild::test::conformance_corpus(DBUILD_CONFORMANCE_DIR, "oci-image-spec") / "schema";
  write_file(image.workspace.context / "Dockerfile", "FROM scratch\nLABEL org.example.empty=yes\n");
  auto layout = image.path("empty-layout");
  auto result = image.build({"-o", "type=oci,tar=false,dest=" + layout.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto documents = documents_of(layout);
  const auto verdicts = dbuild::test::validate_with_oci_schemas(schemas, documents.checks);
  for (std::size_t i = 0; i < documents.checks.size(); ++i) {
    INFO(documents.names[i] << ":\n" << documents.checks[i].document);
    const bool manifest = documents.checks[i].media_type == "application/vnd.oci.image.manifest.v1+json";
    CHECK(verdicts[i].valid == !manifest);
    if (manifest) CHECK(verdicts[i].error == "layers: [] is too short");
    CHECK(dbuild::test::refusal_by_dbuild_reader(documents.checks[i].media_type, documents.checks[i].document).empty());
  }
}
