// plugin_search_path_test.cpp: the order and shape of the plugin search path.
#include <catch2/catch.hpp>

#include "plugin/plugin_search_path.hpp"

using dbuild::plugin::SearchEnvironment;
namespace fs = std::filesystem;

TEST_CASE("search path is built-in dir, then DBUILD_PLUGIN_PATH entries, then the user dir", "[plugin][path]") {
  SearchEnvironment environment;
  environment.executable_dir = "/opt/dbuild/bin";
  environment.plugin_path = "/a::/b/c.so:";
  environment.xdg_data_home = "/data";
  environment.home = "/home/me";
  auto path = dbuild::plugin::plugin_search_path(environment);
  REQUIRE(path.size() == 4);
  CHECK(path[0] == fs::path("/opt/dbuild/lib/dbuild/plugins"));
  CHECK(path[1] == fs::path("/a"));
  CHECK(path[2] == fs::path("/b/c.so"));
  CHECK(path[3] == fs::path("/data/dbuild/plugins"));
}

TEST_CASE("user plugin dir falls back to HOME when XDG_DATA_HOME is unset or empty", "[plugin][path]") {
  SearchEnvironment environment;
  environment.home = "/home/me";
  CHECK(dbuild::plugin::user_plugin_dir(environment) == fs::path("/home/me/.local/share/dbuild/plugins"));
  environment.xdg_data_home = "";
  CHECK(dbuild::plugin::user_plugin_dir(environment) == fs::path("/home/me/.local/share/dbuild/plugins"));
  environment.home.reset();
  environment.xdg_data_home.reset();
  CHECK(dbuild::plugin::user_plugin_dir(environment).empty());
  CHECK(dbuild::plugin::plugin_search_path(environment).empty());
}

TEST_CASE("built-in plugin dir is the same relative place in the build tree and an install", "[plugin][path]") {
  CHECK(dbuild::plugin::builtin_plugin_dir("/usr/local/bin") == fs::path("/usr/local/lib/dbuild/plugins"));
  CHECK(dbuild::plugin::builtin_plugin_dir("/src/build/bin") == fs::path("/src/build/lib/dbuild/plugins"));
}
