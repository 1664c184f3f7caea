// subprocess_test.cpp: running helpers, capturing and streaming output, input, and stopping.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "os/subprocess.hpp"

using dbuild::os::run_subprocess;

TEST_CASE("subprocess captures output and exit code", "[os][subprocess]") {
  auto result = run_subprocess({"sh", "-c", "echo out; echo err >&2; exit 3"});
  REQUIRE(result);
  CHECK(result->exit_code == 3);
  CHECK(result->out == "out\n");
  CHECK(result->err == "err\n");
}

TEST_CASE("subprocess feeds input larger than a pipe without deadlock", "[os][subprocess]") {
  dbuild::os::SubprocessOptions options;
  options.input = std::string(1 << 20, 'x');
  auto result = run_subprocess({"cat"}, options);
  REQUIRE(result);
  CHECK(result->out.size() == options.input.size());
}

TEST_CASE("subprocess streams output to a callback", "[os][subprocess]") {
  std::string seen;
  auto result = run_subprocess({"sh", "-c", "printf a; printf b >&2"}, {},
                               [&](int stream, std::string_view data) { seen += std::to_string(stream) + std::string(data); });
  REQUIRE(result);
  CHECK((seen == "1a2b" || seen == "2b1a"));
  CHECK(result->out.empty());
}

TEST_CASE("subprocess reports a missing program as not_found", "[os][subprocess]") {
  auto result = run_subprocess({"/nonexistent/program"});
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == dbuild::sdk::Code::NotFound);
}

TEST_CASE("subprocess stops a running child when asked", "[os][subprocess]") {
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop.request_stop();
  });
  auto started = std::chrono::steady_clock::now();
  auto result = run_subprocess({"sleep", "30"}, {}, nullptr, stop.get_token());
  stopper.join();
  REQUIRE(result);
  CHECK(result->exit_code == 128 + 9);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}

TEST_CASE("a program is found in $PATH as an executable regular file, without running it", "[os][subprocess]") {
  char pattern[] = "/tmp/dbuild-path-XXXXXX";
  REQUIRE(::mkdtemp(pattern) != nullptr);
  const std::filesystem::path dir = pattern;
  std::filesystem::create_directory(dir / "not-a-program");  // a directory is never a program
  { std::ofstream(dir / "tool") << "#!/bin/sh\n"; }
  std::filesystem::permissions(dir / "tool", std::filesystem::perms::owner_all);
  const char* before = std::getenv("PATH");
  const std::string saved = before ? before : "";
  ::setenv("PATH", ("/nonexistent::" + dir.string()).c_str(), 1);
  CHECK(dbuild::os::find_program("tool") == dir / "tool");
  CHECK_FALSE(dbuild::os::find_program("not-a-program"));
  CHECK_FALSE(dbuild::os::find_program("no-such-tool"));
  ::setenv("PATH", saved.c_str(), 1);
  CHECK(dbuild::os::find_program((dir / "tool").string()) == dir / "tool");
  CHECK(dbuild::os::find_program("sh"));
  std::filesystem::remove_all(dir);
}
