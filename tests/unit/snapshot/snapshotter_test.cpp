// snapshotter_test.cpp: snapshots on a real state database and real overlay mounts: chains of
// prepared and committed snapshots, views, layers, unpacking by chain id, abandoned snapshots,
// and a chain deeper than one mount option can list.
#include <sys/stat.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "db/database.hpp"
#include "db/migrations.hpp"
#include "snapshot/overlay_mount.hpp"
#include "snapshot/snapshotter.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using dbuild::snapshot::Driver;
using dbuild::snapshot::Snapshotter;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Fixture {
  dbuild::test::TempDir dir;
  fs::path root;
  std::unique_ptr<dbuild::db::Database> database;
  std::unique_ptr<Snapshotter> snapshots;

  explicit Fixture(Driver driver, const std::string& subdir = "state") : root(dir.path() / subdir) {
    dbuild::test::require_root();
    fs::create_directories(root / "mounts");
    if (driver == Driver::Overlay && !dbuild::snapshot::overlay_supported(root))
      dbuild::test::skip_test("overlay mounts are not allowed here");
    auto opened = dbuild::db::Database::open(root / "dbuild.db", dbuild::db::Mode::ReadWrite);
    REQUIRE(opened);
    database = std::move(opened).value();
    REQUIRE(dbuild::db::migrate(*database));
    snapshots = std::make_unique<Snapshotter>(*database, root, root / "mounts", "test-session", driver);
  }

  dbuild::snapshot::SnapshotId layer(std::optional<dbuild::snapshot::SnapshotId> parent, const std::string& file,
                                     const std::string& text) {
    auto active = snapshots->prepare(parent);
    REQUIRE(active);
    std::ofstream((*active)->root() / file) << text;
    auto id = snapshots->commit(std::move(*active));
    REQUIRE(id);
    return *id;
  }
};

}  // namespace

TEST_CASE("snapshots stack: a view of the top shows every layer, deletions included", "[snapshot][snapshotter]") {
  auto driver = GENERATE(Driver::Overlay, Driver::Copy);
  INFO(dbuild::snapshot::driver_name(driver));
  Fixture fixture(driver);
  auto bottom = fixture.layer(std::nullopt, "a", "one");
  auto middle = fixture.layer(bottom, "b", "two");
  auto active = fixture.snapshots->prepare(middle);
  REQUIRE(active);
  fs::remove((*active)->root() / "a");
  auto top = fixture.snapshots->commit(std::move(*active));
  REQUIRE(top);

  auto view = fixture.snapshots->view(*top);
  REQUIRE(view);
  CHECK_FALSE(fs::exists((*view)->root() / "a"));
  CHECK(read_file((*view)->root() / "b") == "two");
  auto bottom_view = fixture.snapshots->view(bottom);
  REQUIRE(bottom_view);
  CHECK(read_file((*bottom_view)->root() / "a") == "one");
  CHECK(*fixture.snapshots->chain(*top) == std::vector<dbuild::snapshot::SnapshotId>{*top, middle, bottom});

  std::string layer;
  auto stats = fixture.snapshots->write_layer(*top, [&](const void* data, std::size_t size) {
    layer.append(static_cast<const char*>(data), size);
    return dbuild::sdk::Status::ok();
  }, {});
  REQUIRE(stats);
  CHECK(layer.find(".wh.a") != std::string::npos);
}

TEST_CASE("an abandoned snapshot leaves no row, directory or mount", "[snapshot][snapshotter]") {
  Fixture fixture(Driver::Overlay);
  auto base = fixture.layer(std::nullopt, "a", "one");
  fs::path mount_point;
  {
    auto active = fixture.snapshots->prepare(base);
    REQUIRE(active);
    mount_point = (*active)->root();
    std::ofstream(mount_point / "junk") << "x";
  }
  CHECK_FALSE(fs::exists(mount_point));
  std::ifstream mounts("/proc/mounts");
  std::string all((std::istreambuf_iterator<char>(mounts)), {});
  CHECK(all.find(fixture.root.string()) == std::string::npos);
  std::size_t dirs = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(fixture.root / "snapshots")) ++dirs;
  CHECK(dirs == 1);
}

TEST_CASE("a chain deeper than one mount option can list still mounts", "[snapshot][snapshotter]") {
  // A long state root makes every absolute lowerdir long: 120 layers of ~150 bytes each would
  // not fit in a page.
  Fixture fixture(Driver::Overlay, std::string(100, 'd'));
  std::optional<dbuild::snapshot::SnapshotId> top;
  for (int i = 0; i < 120; ++i) top = fixture.layer(top, "f" + std::to_string(i), std::to_string(i));
  auto view = fixture.snapshots->view(top);
  REQUIRE(view);
  CHECK(read_file((*view)->root() / "f0") == "0");
  CHECK(read_file((*view)->root() / "f119") == "119");
  auto active = fixture.snapshots->prepare(top);
  REQUIRE(active);
  CHECK(read_file((*active)->root() / "f0") == "0");
}
