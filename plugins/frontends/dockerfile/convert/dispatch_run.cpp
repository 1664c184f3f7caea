// dispatch_run.cpp: RUN: shell or exec form, heredocs (as the script, or as files on
// /dev/pipes), --mount (bind, cache, tmpfs, secret), --network, --security, and the build args
// that RUN sees in its environment.
#include "convert/converter_impl.hpp"

namespace dbuild::dockerfile {
namespace {

const std::vector<std::string> kDefaultShell = {"/bin/sh", "-c"};

// <<-EOF: leading tabs go from every line.
std::string chomp(const std::string& data) {
  std::string out;
  bool line_start = true;
  for (char c : data) {
    if (line_start && c == '\t') continue;
    out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& arg : args) out += (out.empty() ? "" : " ") + arg;
  return out;
}

// Replaces the heredoc markers of `files` in a command with redirections from /dev/pipes,
// where each heredoc's content is mounted.
std::string redirect_heredocs(std::string command, const std::vector<InlineFile>& files) {
  for (const auto& file : files) {
    for (const std::string& marker : {"<<-\"" + file.name + "\"", "<<-'" + file.name + "'", "<<-" + file.name,
                                      "<<\"" + file.name + "\"", "<<'" + file.name + "'", "<<" + file.name}) {
      auto at = command.find(marker);
      if (at == std::string::npos) continue;
      command.replace(at, marker.size(), "</dev/pipes/" + file.name);
      break;
    }
  }
  return command;
}

bool is_only_heredoc(const std::string& command, const InlineFile& file) {
  std::string trimmed = command;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
  for (const std::string& marker : {"<<" + file.name, "<<-" + file.name, "<<'" + file.name + "'",
                                    "<<\"" + file.name + "\"", "<<-'" + file.name + "'", "<<-\"" + file.name + "\""})
    if (trimmed == marker) return true;
  return false;
}

}  // namespace

sdk::Result<std::vector<std::string>> Converter::command_args(const StageState& stage, const CommandLine& line,
                                                             const Location&) {
  if (!line.shell_form) return line.args;
  std::vector<std::string> args = stage.image.shell.empty() ? kDefaultShell : stage.image.shell;
  args.insert(args.end(), line.args.begin(), line.args.end());
  return args;
}

sdk::Status Converter::dispatch_run(StageState& stage, const RunCommand& command) {
  sdk::ExecOp exec{.root = stage.state};
  std::vector<InlineFile> files = command.command.files;
  for (auto& file : files)
    if (file.chomp) file.data = chomp(file.data);

  CommandLine line = command.command;
  if (!files.empty() && line.shell_form && line.args.size() == 1) {
    if (files.size() == 1 && is_only_heredoc(line.args[0], files[0])) {
      line.args[0] = files[0].data;  // the heredoc is the script
    } else {
      line.args[0] = redirect_heredocs(line.args[0], files);
      sdk::FileOp pipes;
      for (const auto& file : files)
        pipes.actions.push_back(sdk::MkfileAction{.path = "/" + file.name, .mode = 0644, .data = file.data});
      auto pipes_op = definition_.add(pipes, {.description = "[internal] heredocs"});
      exec.mounts.push_back(sdk::Mount{.type = sdk::MountType::Bind, .target = "/dev/pipes", .source = pipes_op});
    }
  }
  auto args = command_args(stage, line, command.location);
  if (!args) return args.status();
  exec.args = *args;
  exec.env = run_env(stage);
  exec.cwd = stage.image.working_dir.empty() ? "/" : stage.image.working_dir;
  exec.user = stage.image.user;

  // "default" is what no flag means: the command line's --network then decides.
  const std::string network =
      command.network.empty() || command.network == "default" ? options_.force_network : command.network;
  if (network == "none") exec.network = sdk::NetworkMode::None;
  else if (network == "host") exec.network = sdk::NetworkMode::Host;
  else if (!network.empty() && network != "default")
    return error_at(command.location, sdk::Status::invalid_argument("unsupported network mode \"" + network + "\""));
  if (command.security == "insecure") exec.security = sdk::SecurityMode::Insecure;

  for (const auto& mount : command.mounts) {
    auto target = expand(stage, mount.target, command.location);
    if (!target) return target.status();
    sdk::Mount out{.target = join_workdir(exec.cwd, *target)};
    switch (mount.type) {
      case RunMount::Type::Bind: {
        out.type = sdk::MountType::Bind;
        SourceRef source{context_source()};
        if (!mount.from.empty()) {
          auto from = expand(stage, mount.from, command.location);
          if (!from) return from.status();
          auto resolved =
              resolve_source(*from, command.location, stage, {.kind = SourceUse::Kind::Mount, .mount_target = mount.target});
          if (!resolved) return resolved.status();
          source = *resolved;
        }
        if (!source.op) source.op = definition_.add(sdk::FileOp{}, {.description = "scratch"});
        out.source = source.op;
        auto selector = expand(stage, mount.source.empty() ? "/" : mount.source, command.location);
        if (!selector) return selector.status();
        out.selector = *selector;
        out.readonly = mount.readonly;
        break;
      }
      case RunMount::Type::Cache: {
        out.type = sdk::MountType::Cache;
        out.cache_id = mount.cache_id.empty() ? out.target : mount.cache_id;
        out.sharing = mount.sharing == "private" ? sdk::CacheSharing::Private
                      : mount.sharing == "locked" ? sdk::CacheSharing::Locked
                                                  : sdk::CacheSharing::Shared;
        out.mode = mount.mode.value_or(0755);
        out.uid = mount.uid.value_or(0);
        out.gid = mount.gid.value_or(0);
        break;
      }
      case RunMount::Type::Tmpfs:
        out.type = sdk::MountType::Tmpfs;
        out.size = mount.size;
        break;
      case RunMount::Type::Secret: {
        out.type = sdk::MountType::Secret;
        out.secret_id = mount.cache_id.empty() ? out.target.substr(out.target.rfind('/') + 1) : mount.cache_id;
        out.required = mount.required;
        out.mode = mount.mode.value_or(0400);
        out.uid = mount.uid.value_or(0);
        out.gid = mount.gid.value_or(0);
        if (!mount.env.empty())
          return error_at(command.location,
                          sdk::Status::unimplemented("RUN --mount=type=secret,env= is not supported yet"));
        break;
      }
      case RunMount::Type::Ssh:
        return error_at(command.location, sdk::Status::unimplemented("RUN --mount=type=ssh is not supported yet"));
    }
    exec.mounts.push_back(std::move(out));
  }

  std::string text = command.original;
  if (text.empty()) text = "RUN " + joined(command.command.args);
  stage.state = definition_.add(exec, metadata(stage, text, command.location));
  commit_history(stage, "RUN " + joined(exec.args) + " # buildkit", true);
  return sdk::Status::ok();
}

}  // namespace dbuild::dockerfile
