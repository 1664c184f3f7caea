// copy_context_test.cpp: what a copy tells and obeys from its context: bytes reported, stop
// requests between files, and large files copied intact in kernel-side chunks.
#include <catch2/catch.hpp>

#include "fileop_test_support.hpp"

namespace dbuild::fileop::test {
namespace {

sdk::CopyAction copy_of(std::string src, std::string dest) {
  sdk::CopyAction action;
  action.src = std::move(src);
  action.dest = std::move(dest);
  return action;
}

}  // namespace

TEST_CASE("on_bytes reports every byte of file data copied", "[fileop][copy][context]") {
  Trees trees;
  write_file(trees.src() / "d" / "a", std::string(1000, 'a'));
  write_file(trees.src() / "d" / "b", std::string(24, 'b'));
  write_file(trees.src() / "d" / "empty", "");
  make_symlink("a", trees.src() / "d" / "link");
  std::uint64_t bytes = 0;
  CopyContext context{.on_bytes = [&](std::uint64_t n) { bytes += n; }};
  auto status = run_copy(trees.src(), trees.dest(), copy_of("/d", "/out"), {}, context);
  REQUIRE(status.is_ok());
  CHECK(bytes == 1024);
}

TEST_CASE("a stop request ends a copy between files with cancelled", "[fileop][copy][context]") {
  Trees trees;
  for (int i = 0; i < 10; ++i) write_file(trees.src() / "d" / ("f" + std::to_string(i)), "x");
  std::stop_source stop;
  int files = 0;
  CopyContext context{.on_bytes =
                          [&](std::uint64_t) {
                            if (++files == 3) stop.request_stop();
                          },
                      .stop = stop.get_token()};
  auto status = run_copy(trees.src(), trees.dest(), copy_of("/d", "/out"), {}, context);
  CHECK(status.code() == sdk::Code::Cancelled);
  CHECK(paths_of(trees.dest() / "out").size() == 3);
}

TEST_CASE("a large file is copied intact", "[fileop][copy][context]") {
  Trees trees;
  std::string data;
  data.reserve(24u << 20);
  for (std::uint32_t i = 0; data.size() < (24u << 20); ++i) data += std::to_string(i * 2654435761u) + "\n";
  write_file(trees.src() / "big", data);
  auto status = run_copy(trees.src(), trees.dest(), copy_of("/big", "/big"));
  REQUIRE(status.is_ok());
  CHECK(read_file(trees.dest() / "big") == data);
}

}  // namespace dbuild::fileop::test
