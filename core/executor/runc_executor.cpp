// runc_executor.cpp: bundle, `runc run`, kill on stop, delete, and stub clean-up.
#include "executor/runc_executor.hpp"

#include <signal.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "executor/mount_stubs.hpp"
#include "os/secure_path.hpp"
#include "os/subprocess.hpp"

namespace dbuild::executor {
namespace {

namespace fs = std::filesystem;

// The runtime's own error, from its JSON log: the last error-level message, if any.
std::string runtime_error_from_log(const fs::path& log) {
  std::ifstream in(log);
  std::string line, message;
  while (std::getline(in, line)) {
    auto entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_object() && entry.value("level", "") == "error") message = entry.value("msg", "");
  }
  return message;
}

sdk::Status write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return sdk::Status::unavailable("writing " + path.string());
  return sdk::Status::ok();
}

std::vector<std::string> mount_targets(const RunSpec& spec) {
  std::vector<std::string> targets;
  if (!spec.hosts_file.empty()) targets.push_back("/etc/hosts");
  if (!spec.resolv_conf_file.empty()) targets.push_back("/etc/resolv.conf");
  for (const auto& mount : spec.mounts) targets.push_back(mount.target);
  return targets;
}

}  // namespace

RuncExecutor::RuncExecutor(RuntimeInfo runtime, fs::path state_dir, fs::path bundles_dir)
    : runtime_(std::move(runtime)), state_dir_(std::move(state_dir)), bundles_dir_(std::move(bundles_dir)) {}

std::vector<std::string> RuncExecutor::command(std::vector<std::string> args) const {
  std::vector<std::string> argv = {runtime_.name, "--root", state_dir_.string()};
  argv.insert(argv.end(), runtime_.global_args.begin(), runtime_.global_args.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

sdk::Result<ExecResult> RuncExecutor::run(const RunSpec& spec, const ExecOutput& output, std::stop_token stop) {
  if (stop.stop_requested()) return sdk::Status::cancelled("cancelled before start");
  const fs::path bundle = bundles_dir_ / spec.id;
  std::error_code error;
  fs::create_directories(bundle, error);
  if (error) return sdk::Status::unavailable("creating bundle " + bundle.string() + ": " + error.message());
  struct BundleCleanup {
    const fs::path& path;
    ~BundleCleanup() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } bundle_cleanup{bundle};

  if (auto status = os::secure_mkdir_all(spec.rootfs, spec.cwd, 0755, spec.user.uid, spec.user.gid); !status)
    return status.with_context("creating the working directory " + spec.cwd);
  if (auto status = write_file(bundle / "config.json", make_oci_config(spec)); !status) return status;

  MountStubs stubs(spec.rootfs, mount_targets(spec));
  const fs::path log = bundle / "runtime.log";
  auto on_stop = [&](pid_t pid) {
    auto killed = os::run_subprocess(command({"kill", spec.id, "KILL"}));
    if (!killed || killed->exit_code != 0) ::kill(-pid, SIGKILL);  // not created yet: stop the runtime
  };
  auto result = os::run_subprocess(
      command({"--log", log.string(), "--log-format", "json", "run", "--bundle", bundle.string(), spec.id}), {},
      [&](int stream, std::string_view data) { output(stream, data); }, stop, on_stop);
  // `run` deletes the container when its process exits; only a run that was killed or failed
  // may leave its state behind, and only then is a `delete` (another runtime start) worth it.
  std::error_code ignored;
  if (fs::exists(state_dir_ / spec.id, ignored)) (void)os::run_subprocess(command({"delete", "--force", spec.id}));
  stubs.remove();
  if (!result) return result.status().with_context("running " + runtime_.name);
  if (stop.stop_requested()) return sdk::Status::cancelled("cancelled");
  ExecResult exec;
  exec.exit_code = result->exit_code;
  if (exec.exit_code != 0) exec.runtime_error = runtime_error_from_log(log);
  return exec;
}

sdk::Status RuncExecutor::delete_containers(std::string_view prefix) {
  auto listed = os::run_subprocess(command({"list", "--format", "json"}));
  if (!listed) return listed.status();
  auto list = nlohmann::json::parse(listed->out, nullptr, false);
  if (!list.is_array()) return sdk::Status::ok();  // "null" when there are none
  for (const auto& container : list) {
    auto id = container.value("id", "");
    if (id.rfind(prefix, 0) != 0) continue;
    (void)os::run_subprocess(command({"kill", id, "KILL"}));
    (void)os::run_subprocess(command({"delete", "--force", id}));
  }
  return sdk::Status::ok();
}

}  // namespace dbuild::executor
