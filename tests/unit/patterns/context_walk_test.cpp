// context_walk_test.cpp: the filtered context walk on real trees: order, symlinks never followed,
// pruning, unreadable directories, callback control, errors, and a large tree.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "patterns/context_walk.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using dbuild::patterns::ContextFilter;
using dbuild::patterns::WalkAction;
using dbuild::sdk::Result;
using Listing = std::vector<std::string>;

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "x";
}

std::string kind(const struct stat& info) {
  if (S_ISDIR(info.st_mode)) return "dir ";
  if (S_ISLNK(info.st_mode)) return "link ";
  return "file ";
}

Listing walk(const fs::path& root, std::vector<std::string> include = {}, std::vector<std::string> exclude = {}) {
  Listing listing;
  auto status =
      dbuild::patterns::walk_context(root.string(), std::move(include), std::move(exclude),
                                     [&](std::string_view path, const struct stat& info) -> Result<WalkAction> {
                                       listing.push_back(kind(info) + std::string(path));
                                       return WalkAction::Continue;
                                     });
  INFO(status.to_string());
  REQUIRE(status.is_ok());
  return listing;
}

// Runs `check` unless this process ignores file permissions (root does).
bool permissions_apply() { return geteuid() != 0; }

}  // namespace

TEST_CASE("entries come depth first in bytewise name order", "[patterns][walk]") {
  dbuild::test::TempDir dir;
  for (const char* name : {"b/z", "b/a", "a", "B", "\xC3\xA9", "a.b", "a-b"}) touch(dir.path() / name);
  CHECK(walk(dir.path()) ==
        Listing{"file B", "file a", "file a-b", "file a.b", "dir b", "file b/a", "file b/z", "file \xC3\xA9"});
}

TEST_CASE("symlinks are reported, never followed, and the root may be one", "[patterns][walk]") {
  dbuild::test::TempDir dir;
  touch(dir.path() / "outside/secret");
  touch(dir.path() / "ctx/file");
  fs::create_directory_symlink(dir.path() / "outside", dir.path() / "ctx/link");
  fs::create_symlink("missing", dir.path() / "ctx/dangling");
  fs::create_directory_symlink(dir.path() / "ctx", dir.path() / "ctx-link");
  const Listing expected{"link dangling", "file file", "link link"};
  CHECK(walk(dir.path() / "ctx") == expected);
  CHECK(walk(dir.path() / "ctx-link") == expected);
  CHECK(walk(dir.path() / "ctx", {"link/**"}).empty());
}

TEST_CASE("an excluded directory is reported only when something below it is re-included", "[patterns][walk]") {
  dbuild::test::TempDir dir;
  for (const char* name : {"docs/a/keep.md", "docs/a/x", "docs/b/y", "src/main.c"}) touch(dir.path() / name);
  CHECK(walk(dir.path(), {}, {"docs", "!docs/a/keep.md"}) ==
        Listing{"dir docs", "dir docs/a", "file docs/a/keep.md", "dir src", "file src/main.c"});
  CHECK(walk(dir.path(), {"docs/b", "src"}) ==
        Listing{"dir docs", "dir docs/b", "file docs/b/y", "dir src", "file src/main.c"});
}

TEST_CASE("a pruned directory is never read, so its permissions do not matter", "[patterns][walk]") {
  if (!permissions_apply()) {
    SUCCEED("running as root: permissions are not enforced, nothing to observe");
    return;
  }
  dbuild::test::TempDir dir;
  touch(dir.path() / "locked/inner");
  touch(dir.path() / "open");
  fs::permissions(dir.path() / "locked", fs::perms::none);
  CHECK(walk(dir.path(), {}, {"locked"}) == Listing{"file open"});
  // Passed through (an exception might match below) and unreadable: skipped, as BuildKit does.
  CHECK(walk(dir.path(), {}, {"locked", "!locked/*.md"}) == Listing{"file open"});
  // Included and unreadable: an error naming it.
  auto status = dbuild::patterns::walk_context(
      dir.path().string(), ContextFilter{},
      [](std::string_view, const struct stat&) -> Result<WalkAction> { return WalkAction::Continue; });
  CHECK(status.code() == dbuild::sdk::Code::PermissionDenied);
  CHECK_THAT(status.message(), Catch::Contains("locked"));
  fs::permissions(dir.path() / "locked", fs::perms::owner_all);
}

TEST_CASE("the callback can skip a directory, the rest of a directory, or stop", "[patterns][walk]") {
  dbuild::test::TempDir dir;
  for (const char* name : {"a/1", "a/2", "b/1", "b/2", "b/3", "c"}) touch(dir.path() / name);
  auto run = [&](const ContextFilter& filter, auto decide) {
    Listing listing;
    auto status = dbuild::patterns::walk_context(dir.path().string(), filter,
                                                 [&](std::string_view path, const struct stat&) -> Result<WalkAction> {
                                                   listing.emplace_back(path);
                                                   return decide(path);
                                                 });
    REQUIRE(status.is_ok());
    return listing;
  };
  const ContextFilter all;
  CHECK(run(all, [](std::string_view p) { return p == "a" ? WalkAction::SkipDir : WalkAction::Continue; }) ==
        Listing{"a", "b", "b/1", "b/2", "b/3", "c"});
  CHECK(run(all, [](std::string_view p) { return p == "b/1" ? WalkAction::SkipDir : WalkAction::Continue; }) ==
        Listing{"a", "a/1", "a/2", "b", "b/1", "c"});
  CHECK(run(all, [](std::string_view p) { return p == "a/2" ? WalkAction::Stop : WalkAction::Continue; }) ==
        Listing{"a", "a/1", "a/2"});

  // A directory reported late (for a re-included entry) can still be skipped as a whole.
  auto filter = ContextFilter::compile({}, {"b", "!b/2", "!b/3"});
  REQUIRE(filter.has_value());
  CHECK(run(*filter, [](std::string_view p) { return p == "b" ? WalkAction::SkipDir : WalkAction::Continue; }) ==
        Listing{"a", "a/1", "a/2", "b", "c"});
}

TEST_CASE("errors from the callback, the root and the patterns end the walk", "[patterns][walk]") {
  dbuild::test::TempDir dir;
  touch(dir.path() / "f");
  auto ok = [](std::string_view, const struct stat&) -> Result<WalkAction> { return WalkAction::Continue; };
  auto failing = [](std::string_view, const struct stat&) -> Result<WalkAction> {
    return dbuild::sdk::Status::cancelled("stop here");
  };
  CHECK(dbuild::patterns::walk_context(dir.path().string(), ContextFilter{}, failing).code() ==
        dbuild::sdk::Code::Cancelled);
  CHECK(dbuild::patterns::walk_context((dir.path() / "missing").string(), ContextFilter{}, ok).code() ==
        dbuild::sdk::Code::NotFound);
  CHECK(dbuild::patterns::walk_context((dir.path() / "f").string(), ContextFilter{}, ok).code() ==
        dbuild::sdk::Code::FailedPrecondition);
  auto bad = dbuild::patterns::walk_context(dir.path().string(), {}, {"!"}, ok);
  CHECK(bad.code() == dbuild::sdk::Code::InvalidArgument);
  CHECK(bad.to_string().starts_with("invalid exclude patterns"));
  auto lazy = dbuild::patterns::walk_context(dir.path().string(), {}, {"f", "!x[l-O]"}, ok);
  CHECK(lazy.code() == dbuild::sdk::Code::InvalidArgument);
}

TEST_CASE("a large tree is walked completely, in order, with excluded subtrees pruned", "[patterns][walk]") {
  dbuild::test::TempDir dir;
  constexpr int kDirs = 60;
  constexpr int kFiles = 100;
  for (int d = 0; d < kDirs; ++d) {
    const fs::path sub = dir.path() / ("d" + std::to_string(d)) / "sub";
    fs::create_directories(sub);
    for (int f = 0; f < kFiles; ++f) {
      std::ofstream(sub / ("f" + std::to_string(f) + (f % 10 == 0 ? ".log" : ".c")));
    }
  }
  std::size_t entries = 0;
  std::string previous;
  bool ordered = true;
  const auto start = std::chrono::steady_clock::now();
  auto status = dbuild::patterns::walk_context(dir.path().string(), {}, {"**/*.log", "d1*"},
                                               [&](std::string_view path, const struct stat&) -> Result<WalkAction> {
                                                 ordered = ordered && std::string(path) > previous;
                                                 previous = path;
                                                 ++entries;
                                                 return WalkAction::Continue;
                                               });
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(status.is_ok());
  CHECK(ordered);
  // d1 and d10..d19 are excluded; the others keep 2 directories and 90 of their 100 files.
  CHECK(entries == static_cast<std::size_t>((kDirs - 11) * (2 + kFiles * 9 / 10)));
  WARN("walked " << kDirs * (2 + kFiles) << " entries in "
                 << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
}
