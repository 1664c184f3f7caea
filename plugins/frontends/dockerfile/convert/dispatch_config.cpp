// dispatch_config.cpp: the instructions that change the image config and the build's variables
// (ENV, ARG, LABEL, USER, SHELL, CMD, ENTRYPOINT, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK,
// MAINTAINER, ONBUILD) and WORKDIR, with BuildKit's expansion rules and history entries.
#include <algorithm>

#include "convert/converter_impl.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// Go's %v of a []string: "[a b]".
std::string go_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return "[" + out + "]";
}

void add_sorted_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
  std::sort(list.begin(), list.end());
}

}  // namespace

sdk::Status Converter::dispatch_workdir(StageState& stage, const WorkdirCommand& command) {
  auto path = expand(stage, command.path, command.location);
  if (!path) return path.status();
  const std::string workdir = join_workdir(stage.image.working_dir, *path);
  stage.image.working_dir = workdir;
  if (workdir == "/") {
    commit_history(stage, "WORKDIR " + workdir, false);
    return sdk::Status::ok();
  }
  sdk::MkdirAction mkdir{.path = workdir, .mode = 0755, .make_parents = true};
  if (!stage.image.user.empty()) mkdir.chown = ownership_of(stage.image.user);
  sdk::FileOp op{.base = stage.state};
  op.actions.push_back(mkdir);
  stage.state = definition_.add(op, metadata(stage, "WORKDIR " + workdir, command.location));
  commit_history(stage, "WORKDIR " + workdir, true);
  return sdk::Status::ok();
}

sdk::Status Converter::dispatch_config(StageState& stage, const Command& command) {
  auto expand_here = [&](const std::string& word, const Location& location) { return expand(stage, word, location); };
  return std::visit(
      Overloaded{
          [&](const EnvCommand& env) -> sdk::Status {
            // Every pair is expanded with the environment before this instruction.
            std::vector<std::pair<std::string, std::string>> expanded;
            std::string text;
            for (const auto& pair : env.env) {
              auto key = expand_here(pair.key, env.location);
              if (!key) return key.status();
              auto value = expand_here(pair.value, env.location);
              if (!value) return value.status();
              expanded.emplace_back(*key, *value);
              text += (text.empty() ? "" : " ") + *key + "=" + *value;
            }
            for (const auto& [key, value] : expanded) stage.image.set_env(key, value);
            commit_history(stage, "ENV " + text, false);
            return sdk::Status::ok();
          },
          [&](const ArgCommand& arg) -> sdk::Status {
            std::string text;
            for (const auto& definition : arg.args) {
              std::optional<std::string> value;
              if (auto given = build_args_.find(definition.key); given != build_args_.end()) {
                value = given->second;
              } else if (definition.value) {
                auto expanded = expand_here(*definition.value, arg.location);
                if (!expanded) return expanded.status();
                value = *expanded;
              } else if (global_declared_.count(definition.key)) {
                if (auto global = global_args_.find(definition.key); global != global_args_.end()) value = global->second;
              } else {
                auto platform = platform_args(options_.build_platform, stage.platform);
                if (auto found = platform.find(definition.key); found != platform.end()) value = found->second;
              }
              if (value) stage.args[definition.key] = *value;
              else stage.args.erase(definition.key);
              text += (text.empty() ? "" : " ") + definition.key + (value ? "=" + *value : "");
            }
            commit_history(stage, "ARG " + text, false);
            return sdk::Status::ok();
          },
          [&](const LabelCommand& label) -> sdk::Status {
            std::string text;
            for (const auto& pair : label.labels) {
              auto key = expand_here(pair.key, label.location);
              if (!key) return key.status();
              auto value = expand_here(pair.value, label.location);
              if (!value) return value.status();
              stage.image.labels[*key] = *value;
              text += (text.empty() ? "" : " ") + *key + "=" + *value;
            }
            commit_history(stage, "LABEL " + text, false);
            return sdk::Status::ok();
          },
          [&](const UserCommand& user) -> sdk::Status {
            auto value = expand_here(user.user, user.location);
            if (!value) return value.status();
            stage.image.user = *value;
            commit_history(stage, "USER " + *value, false);
            return sdk::Status::ok();
          },
          [&](const ShellCommand& shell) -> sdk::Status {
            stage.image.shell = shell.shell;
            commit_history(stage, "SHELL " + go_list(shell.shell), false);
            return sdk::Status::ok();
          },
          [&](const CmdCommand& cmd) -> sdk::Status {
            auto args = command_args(stage, cmd.command, cmd.location);
            if (!args) return args.status();
            stage.image.cmd = *args;
            stage.cmd_set = true;
            commit_history(stage, "CMD " + parser_text::quote_list(*args), false);
            return sdk::Status::ok();
          },
          [&](const EntrypointCommand& entrypoint) -> sdk::Status {
            auto args = command_args(stage, entrypoint.command, entrypoint.location);
            if (!args) return args.status();
            stage.image.entrypoint = *args;
            // An inherited CMD was meant for the old ENTRYPOINT.
            if (!stage.cmd_set) stage.image.cmd.reset();
            commit_history(stage, "ENTRYPOINT " + parser_text::quote_list(*args), false);
            return sdk::Status::ok();
          },
          [&](const ExposeCommand& expose) -> sdk::Status {
            std::string text;
            for (const auto& port : expose.ports) {
              auto value = expand_here(port, expose.location);
              if (!value) return value.status();
              auto keys = parse_expose_ports(*value);
              if (!keys) return error_at(expose.location, keys.status());
              for (const auto& key : *keys) add_sorted_unique(stage.image.exposed_ports, key);
              text += (text.empty() ? "" : " ") + *value;
            }
            commit_history(stage, "EXPOSE " + text, false);
            return sdk::Status::ok();
          },
          [&](const VolumeCommand& volume) -> sdk::Status {
            std::string text;
            for (const auto& path : volume.volumes) {
              auto value = expand_here(path, volume.location);
              if (!value) return value.status();
              if (value->empty())
                return error_at(volume.location, sdk::Status::invalid_argument("VOLUME specified can not be an empty string"));
              add_sorted_unique(stage.image.volumes, *value);
              text += (text.empty() ? "" : " ") + *value;
            }
            commit_history(stage, "VOLUME [" + text + "]", false);
            return sdk::Status::ok();
          },
          [&](const StopSignalCommand& signal) -> sdk::Status {
            auto value = expand_here(signal.signal, signal.location);
            if (!value) return value.status();
            stage.image.stop_signal = *value;
            commit_history(stage, "STOPSIGNAL " + *value, false);
            return sdk::Status::ok();
          },
          [&](const HealthcheckCommand& health) -> sdk::Status {
            stage.image.healthcheck = health.health;
            commit_history(stage, healthcheck_history(health.health), false);
            return sdk::Status::ok();
          },
          [&](const MaintainerCommand& maintainer) -> sdk::Status {
            auto value = expand_here(maintainer.maintainer, maintainer.location);
            if (!value) return value.status();
            stage.image.author = *value;
            commit_history(stage, "MAINTAINER " + *value, false);
            return sdk::Status::ok();
          },
          [&](const OnbuildCommand& onbuild) -> sdk::Status {
            stage.image.on_build.push_back(onbuild.expression);
            commit_history(stage, "ONBUILD " + onbuild.expression, false);
            return sdk::Status::ok();
          },
          [&](const auto& other) -> sdk::Status {
            return error_at(other.location, sdk::Status::internal("unhandled instruction " + other.name));
          },
      },
      command);
}

}  // namespace dbuild::dockerfile
