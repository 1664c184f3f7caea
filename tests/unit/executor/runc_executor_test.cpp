// runc_executor_test.cpp: real containers under runc (or crun) in a busybox rootfs: output,
// exit codes, users, network isolation, cwd creation, mount stubs, and stopping a running step.
#include <chrono>
#include <cstdlib>
#include <optional>
#include <fstream>
#include <sys/stat.h>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "executor/runc_executor.hpp"
#include "executor/runtime.hpp"
#include "os/subprocess.hpp"
#include "support/busybox_rootfs.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using dbuild::executor::RunSpec;

namespace {

struct Fixture {
  dbuild::test::TempDir dir;
  fs::path rootfs = dir.path() / "rootfs";
  dbuild::executor::RuntimeInfo runtime;
  std::unique_ptr<dbuild::executor::RuncExecutor> executor;
  std::string out, err;

  Fixture() {
    dbuild::test::require_root();
    auto detected = dbuild::executor::detect_runtime();
    if (!detected) dbuild::test::skip_test(detected.status().message());
    runtime = *detected;
    dbuild::test::make_busybox_rootfs(rootfs);
    executor = std::make_unique<dbuild::executor::RuncExecutor>(runtime, dir.path() / "state", dir.path() / "bundles");
  }

  RunSpec spec(std::vector<std::string> args) {
    RunSpec spec;
    spec.id = "dbuild-test-" + std::to_string(::getpid());
    spec.rootfs = rootfs;
    spec.args = std::move(args);
    return spec;
  }

  dbuild::sdk::Result<dbuild::executor::ExecResult> run(const RunSpec& spec, std::stop_token stop = {}) {
    out.clear();
    err.clear();
    return executor->run(
        spec, [&](int stream, std::string_view data) { (stream == 1 ? out : err).append(data); }, stop);
  }

  std::vector<std::string> containers() {
    auto listed = dbuild::os::run_subprocess({runtime.name, "--root", (dir.path() / "state").string(), "list", "-q"});
    REQUIRE(listed);
    std::vector<std::string> ids;
    std::istringstream lines(listed->out);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) ids.push_back(line);
    return ids;
  }
};

}  // namespace

TEST_CASE("executor runs a process and streams stdout and stderr apart", "[executor][runc]") {
  Fixture fixture;
  auto result = fixture.run(fixture.spec({"/bin/sh", "-c", "echo hello; echo oops >&2; exit 3"}));
  REQUIRE(result);
  CHECK(result->exit_code == 3);
  CHECK(result->runtime_error.empty());
  CHECK(fixture.out == "hello\n");
  CHECK(fixture.err == "oops\n");
  CHECK(fixture.containers().empty());
  CHECK_FALSE(fs::exists(fixture.dir.path() / "bundles" / fixture.spec({}).id));
}

TEST_CASE("executor reports a missing binary as the runtime's error", "[executor][runc]") {
  Fixture fixture;
  auto result = fixture.run(fixture.spec({"/no/such/binary"}));
  REQUIRE(result);
  CHECK(result->exit_code != 0);
  CHECK_THAT(result->runtime_error, Catch::Contains("/no/such/binary"));
  CHECK(fixture.containers().empty());  // also after a process that never started
}

TEST_CASE("executor runs as the resolved user with PATH defaulted and the hostname set", "[executor][runc]") {
  Fixture fixture;
  auto spec = fixture.spec({"sh", "-c", "id -u; id -g; id -G; echo $PATH; hostname"});
  auto user = dbuild::executor::resolve_user_in(fixture.rootfs, "builder");
  REQUIRE(user);
  spec.user = *user;
  auto result = fixture.run(spec);
  REQUIRE(result);
  CHECK(result->exit_code == 0);
  CHECK(fixture.out == "1000\n1000\n1000 50\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nbuildkitsandbox\n");
}

TEST_CASE("executor isolates the network unless the step asks for the host's", "[executor][runc]") {
  Fixture fixture;
  auto spec = fixture.spec({"sh", "-c", "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '"});
  spec.network = dbuild::sdk::NetworkMode::None;
  auto isolated = fixture.run(spec);
  REQUIRE(isolated);
  CHECK(fixture.out == "lo\n");
  spec.network = dbuild::sdk::NetworkMode::Host;
  auto host = fixture.run(spec);
  REQUIRE(host);
  CHECK(fixture.out != "lo\n");
}

TEST_CASE("executor creates a missing working directory owned by the user", "[executor][runc]") {
  Fixture fixture;
  auto spec = fixture.spec({"pwd"});
  spec.cwd = "/work/deep";
  spec.user.uid = 1000;
  spec.user.gid = 1000;
  auto result = fixture.run(spec);
  REQUIRE(result);
  CHECK(fixture.out == "/work/deep\n");
  struct stat info;
  REQUIRE(::stat((fixture.rootfs / "work/deep").c_str(), &info) == 0);
  CHECK(info.st_uid == 1000);
}

TEST_CASE("executor removes the file stubs it had to create for mounts, and keeps directories as BuildKit does",
          "[executor][runc]") {
  Fixture fixture;
  fs::create_directories(fixture.dir.path() / "src");
  std::ofstream(fixture.dir.path() / "src/file") << "data";
  auto spec = fixture.spec({"cat", "/mnt/new/dir/file"});
  spec.mounts.push_back({dbuild::executor::MountSpec::Type::Bind, fixture.dir.path() / "src", "/mnt/new/dir", true, 0});
  std::ofstream(fixture.dir.path() / "hosts") << "127.0.0.1 localhost buildkitsandbox\n";
  spec.hosts_file = fixture.dir.path() / "hosts";
  auto result = fixture.run(spec);
  REQUIRE(result);
  CHECK(fixture.out == "data");
  CHECK(fs::is_directory(fixture.rootfs / "mnt/new/dir"));
  CHECK(fs::is_empty(fixture.rootfs / "mnt/new/dir"));
  CHECK_FALSE(fs::exists(fixture.rootfs / "etc/hosts"));
  CHECK(fs::exists(fixture.rootfs / "etc/passwd"));
}

TEST_CASE("executor kills a running step when stopped and leaves no container", "[executor][runc]") {
  Fixture fixture;
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop.request_stop();
  });
  auto started = std::chrono::steady_clock::now();
  auto result = fixture.run(fixture.spec({"sleep", "60"}), stop.get_token());
  stopper.join();
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == dbuild::sdk::Code::Cancelled);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
  CHECK(fixture.containers().empty());
}

namespace {

// Sets an environment variable for the scope of a test.
struct ScopedEnvironment {
  std::string name;
  std::optional<std::string> before;
  ScopedEnvironment(std::string key, const std::string& value) : name(std::move(key)) {
    if (const char* old = std::getenv(name.c_str())) before = old;
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (before) ::setenv(name.c_str(), before->c_str(), 1);
    else ::unsetenv(name.c_str());
  }
};

}  // namespace

TEST_CASE("the runtime is found without being started, and asked its version only when described",
          "[executor][runtime]") {
  dbuild::test::TempDir dir;
  const auto runtime = dir.path() / "fake-runc";
  const auto calls = dir.path() / "calls";
  {
    std::ofstream script(runtime);
    script << "#!/bin/sh\necho \"$@\" >> " << calls.string() << "\necho 'fake-runc version 9.9.9'\n";
  }
  fs::permissions(runtime, fs::perms::owner_all);
  ScopedEnvironment wanted("DBUILD_RUNTIME", runtime.string());
  auto detected = dbuild::executor::detect_runtime();
  REQUIRE(detected);
  CHECK(detected->name == runtime.string());
  CHECK_FALSE(fs::exists(calls));  // a build that runs nothing never starts the runtime
  CHECK(detected->describe() == runtime.string() + " 9.9.9");
  CHECK(fs::exists(calls));

  ScopedEnvironment missing("DBUILD_RUNTIME", (dir.path() / "no-such-runc").string());
  auto none = dbuild::executor::detect_runtime();
  REQUIRE_FALSE(none);
  CHECK_THAT(none.status().message(), Catch::Contains("no OCI runtime found"));
  fs::permissions(runtime, fs::perms::owner_read | fs::perms::owner_write);
  ScopedEnvironment not_executable("DBUILD_RUNTIME", runtime.string());
  CHECK_FALSE(dbuild::executor::detect_runtime());
}

TEST_CASE("the runtime's state lives in a directory of ours on a memory file system, one per state root",
          "[executor][runtime]") {
  if (::access("/dev/shm", W_OK) != 0) dbuild::test::skip_test("needs a writable /dev/shm");
  std::string pattern = "/dev/shm/dbuild-test-XXXXXX";
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  struct Remove {
    fs::path path;
    fs::path base;
    ~Remove() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } shm_base{pattern, pattern};
  ScopedEnvironment runtime_dir("XDG_RUNTIME_DIR", shm_base.path.string());
  const auto first = dbuild::executor::runtime_run_dir("/var/lib/one");
  const auto second = dbuild::executor::runtime_run_dir("/var/lib/two");
  CHECK(first != second);
  CHECK(first == dbuild::executor::runtime_run_dir("/var/lib/one/"));
  for (const auto& dir : {first, second}) {
    INFO(dir);
    struct stat info {};
    REQUIRE(::lstat(dir.c_str(), &info) == 0);
    CHECK(S_ISDIR(info.st_mode));
    CHECK((info.st_mode & 077) == 0);
    CHECK(info.st_uid == ::geteuid());
    CHECK(dir.string().rfind("/var/lib/", 0) != 0);  // not the state root's own disk
  }
  // The choice is kept in the state root: another environment finds the same directory.
  dbuild::test::TempDir root;
  const auto chosen = dbuild::executor::runtime_run_dir(root.path());
  std::string recorded;
  std::getline(std::ifstream(root.path() / "run-dir"), recorded);
  CHECK(recorded == chosen.string());
  {
    ScopedEnvironment elsewhere("XDG_RUNTIME_DIR", "/nonexistent");
    CHECK(dbuild::executor::runtime_run_dir(root.path()) == chosen);
  }
  // A "dbuild" there that is not ours (a symlink planted by someone else) is not used.
  fs::remove_all(shm_base.path / "dbuild");
  fs::create_directory_symlink("/tmp", shm_base.path / "dbuild");
  const auto elsewhere = dbuild::executor::runtime_run_dir("/var/lib/one");
  CHECK(elsewhere.string().rfind(shm_base.path.string(), 0) != 0);
}
