// exec_op.cpp: running an ExecOp: prepare the root snapshot, turn its mounts into host paths
// (snapshot views, local directories, cache dirs, tmpfs, secret files), run, commit.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "executor/executor.hpp"
#include "executor/user.hpp"
#include "oci/sha256.hpp"
#include "os/secure_path.hpp"
#include "snapshot/snapshotter.hpp"
#include "worker/local_worker.hpp"

namespace dbuild::worker {
namespace {

namespace fs = std::filesystem;

// BuildKit's wording, which users grep for: process "/bin/sh -c make" did not complete successfully.
std::string describe_process(const std::vector<std::string>& args) {
  std::string text;
  for (const auto& arg : args) text += (text.empty() ? "" : " ") + arg;
  return "process \"" + text + "\"";
}

// What an exec op's mounts need to stay alive while it runs.
struct MountHolder {
  std::vector<std::unique_ptr<snapshot::View>> views;
  std::vector<std::unique_ptr<snapshot::Active>> scratch;  // writable binds whose writes are dropped
  std::vector<fs::path> secret_files;
  ~MountHolder() {
    std::error_code ignored;
    for (const auto& file : secret_files) fs::remove(file, ignored);
  }
};

sdk::Status write_secret(const fs::path& file, const std::string& data, const sdk::Mount& mount) {
  std::error_code error;
  fs::create_directories(file.parent_path(), error);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << data;
  if (::chown(file.c_str(), mount.uid, mount.gid) != 0 || ::chmod(file.c_str(), mount.mode ? mount.mode : 0400) != 0)
    return sdk::Status::unavailable("preparing secret " + mount.secret_id + ": " + std::strerror(errno));
  return sdk::Status::ok();
}

}  // namespace

sdk::Result<solver::VertexResult> LocalWorker::exec(const sdk::ExecOp& op, const std::vector<solver::VertexResult>& inputs,
                                                    const solver::VertexContext& context) {
  std::size_t next_input = 0;
  std::optional<snapshot::SnapshotId> root;
  if (op.root) {
    const auto& input = inputs[next_input++];
    if (input.is_local()) return sdk::Status::invalid_argument("a local directory cannot be the root of a RUN");
    root = input.snapshot;
  }
  auto active = services_.snapshots.prepare(root);
  if (!active) return active.status();

  executor::RunSpec spec;
  spec.id = config_.container_prefix + "-" + std::to_string(next_container_++);
  spec.rootfs = (*active)->root();
  spec.args = op.args;
  spec.env = op.env;
  spec.cwd = op.cwd.empty() ? "/" : op.cwd;
  spec.network = op.network;
  spec.security = op.security;
  spec.readonly_rootfs = op.readonly_rootfs;
  if (!op.hostname.empty()) spec.hostname = op.hostname;
  auto user = executor::resolve_user_in(spec.rootfs, op.user);
  if (!user) return user.status();
  spec.user = *user;
  auto hosts = hosts_file();
  if (!hosts) return hosts.status();
  spec.hosts_file = *hosts;
  std::error_code error;
  if (fs::exists("/etc/resolv.conf", error)) spec.resolv_conf_file = "/etc/resolv.conf";

  MountHolder holder;
  for (const auto& mount : op.mounts) {
    executor::MountSpec target;
    target.target = mount.target;
    switch (mount.type) {
      case sdk::MountType::Bind: {
        std::optional<solver::VertexResult> input;
        if (mount.source) input = inputs[next_input++];
        fs::path base;
        if (input && input->is_local()) {
          base = input->local_dir;
        } else if (!mount.readonly) {
          auto scratch = services_.snapshots.prepare(input ? input->snapshot : std::nullopt);
          if (!scratch) return scratch.status();
          base = (*scratch)->root();
          holder.scratch.push_back(std::move(*scratch));
        } else {
          auto view = services_.snapshots.view(input ? input->snapshot : std::nullopt);
          if (!view) return view.status();
          base = (*view)->root();
          holder.views.push_back(std::move(*view));
        }
        auto source = os::secure_join(base, mount.selector);
        if (!source) return source.status();
        target.source = *source;
        target.readonly = mount.readonly;
        break;
      }
      case sdk::MountType::Cache: {
        if (mount.source) ++next_input;
        const std::string id = mount.cache_id.empty() ? mount.target : mount.cache_id;
        target.source = config_.cache_mounts_dir / oci::sha256_of(id).encoded().substr(0, 32);
        if (!fs::exists(target.source, error)) {
          fs::create_directories(target.source, error);
          if (::chown(target.source.c_str(), mount.uid, mount.gid) != 0 ||
              ::chmod(target.source.c_str(), mount.mode ? mount.mode : 0755) != 0)
            return sdk::Status::unavailable("preparing cache mount " + id + ": " + std::strerror(errno));
        }
        break;
      }
      case sdk::MountType::Tmpfs:
        target.type = executor::MountSpec::Type::Tmpfs;
        target.size = mount.size;
        break;
      case sdk::MountType::Secret: {
        auto secret = config_.secrets.find(mount.secret_id);
        if (secret == config_.secrets.end()) {
          if (mount.required) return sdk::Status::not_found("secret " + mount.secret_id + " not found");
          continue;
        }
        const fs::path file = config_.scratch_dir / "secrets" / (spec.id + "-" + std::to_string(holder.secret_files.size()));
        if (auto status = write_secret(file, secret->second, mount); !status) return status;
        holder.secret_files.push_back(file);
        target.source = file;
        target.readonly = true;
        break;
      }
      case sdk::MountType::Ssh:
        return sdk::Status::unimplemented("RUN --mount=type=ssh is not supported yet");
    }
    spec.mounts.push_back(std::move(target));
  }

  auto result = services_.executor.run(
      spec, [&](int stream, std::string_view data) { context.log(stream, data); }, context.stop);
  if (!result) return result.status();
  if (result->exit_code != 0) {
    std::string why = result->runtime_error.empty() ? "exit code: " + std::to_string(result->exit_code)
                                                    : result->runtime_error;
    return sdk::Status::failed_precondition(describe_process(op.args) + " did not complete successfully: " + why);
  }
  auto committed = services_.snapshots.commit(std::move(*active));
  if (!committed) return committed.status();
  return solver::VertexResult{*committed, {}, {}, {}};
}

}  // namespace dbuild::worker
