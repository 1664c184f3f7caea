// subprocess.cpp: posix_spawnp with pipes, a poll loop, and stop handling via a self-pipe that a
// std::stop_callback writes to.
#include "os/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "os/unique_fd.hpp"

namespace dbuild::os {
namespace {

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

sdk::Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sdk::Status::unavailable(std::string("pipe: ") + std::strerror(errno));
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

bool executable_file(const std::filesystem::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<std::filesystem::path> find_program(std::string_view name) {
  if (name.find('/') != std::string_view::npos)
    return executable_file(std::filesystem::path(name)) ? std::optional(std::filesystem::path(name)) : std::nullopt;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/bin:/usr/bin";
  while (true) {
    const auto colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    auto candidate = std::filesystem::path(dir.empty() ? std::string_view(".") : dir) / name;
    if (executable_file(candidate)) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    dirs.remove_prefix(colon + 1);
  }
}

sdk::Result<SubprocessResult> run_subprocess(const std::vector<std::string>& argv, const SubprocessOptions& options,
                                             const OutputCallback& on_output, std::stop_token stop,
                                             const StopAction& on_stop) {
  if (argv.empty()) return sdk::Status::invalid_argument("run_subprocess: empty argv");
  auto in = make_pipe(), out = make_pipe(), err = make_pipe(), wake = make_pipe();
  for (auto* pipe : {&in, &out, &err, &wake})
    if (!*pipe) return pipe->status();
  UniqueFd dev_null;
  if (options.input.empty()) dev_null.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));

  // The child gets an environment of its own; this process's is not changed.
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view item(*entry);
    auto name = item.substr(0, item.find('='));
    if (!options.environment.count(std::string(name))) env_storage.emplace_back(item);
  }
  for (const auto& [name, value] : options.environment)
    if (value) env_storage.push_back(name + "=" + *value);

  std::vector<char*> env;
  for (auto& item : env_storage) env.push_back(item.data());
  env.push_back(nullptr);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  // posix_spawn (a vfork-style clone in glibc): no copy of this process's page tables and no
  // copy-on-write faults in its other threads afterwards, once per RUN step and runtime call.
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);
  posix_spawn_file_actions_adddup2(&actions, options.input.empty() ? dev_null.get() : in->read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out->write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err->write.get(), 2);
  sigset_t none, pipe_signal;
  sigemptyset(&none);
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &pipe_signal);
  if (options.new_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attributes, 0);
  }
  posix_spawnattr_setflags(&attributes, flags);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned == ENOENT || spawned == EACCES || spawned == ENOEXEC || spawned == ENOTDIR)
    return sdk::Status::not_found("cannot run " + argv[0] + ": " + std::strerror(spawned));
  if (spawned != 0) return sdk::Status::unavailable("starting " + argv[0] + ": " + std::strerror(spawned));
  if (options.new_process_group) ::setpgid(pid, pid);  // also in the parent: no race with a quick stop
  in->read.reset();
  out->write.reset();
  err->write.reset();

  std::stop_callback wake_on_stop(stop, [fd = wake->write.get()] {
    char byte = 1;
    (void)!::write(fd, &byte, 1);
  });

  SubprocessResult result;
  std::size_t written = 0;
  UniqueFd& stdin_fd = in->write;
  if (options.input.empty()) stdin_fd.reset();
  else ::fcntl(stdin_fd.get(), F_SETFL, O_NONBLOCK);  // a full pipe must not stall reading output
  bool stop_sent = false;
  int out_fd = out->read.get(), err_fd = err->read.get();
  char buffer[65536];
  while (out_fd >= 0 || err_fd >= 0) {
    pollfd fds[4] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {wake->read.get(), POLLIN, 0},
                     {stdin_fd.get(), POLLOUT, 0}};
    if (::poll(fds, 4, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if ((fds[2].revents & POLLIN) && !stop_sent) {
      stop_sent = true;
      if (on_stop) on_stop(pid);
      else ::kill(options.new_process_group ? -pid : pid, SIGKILL);
      (void)!::read(wake->read.get(), buffer, sizeof buffer);
    }
    for (int i = 0; i < 2; ++i) {
      int& fd = i == 0 ? out_fd : err_fd;
      if (fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fd = -1;
        continue;
      }
      std::string_view data(buffer, static_cast<std::size_t>(n));
      if (on_output) on_output(i + 1, data);
      else (i == 0 ? result.out : result.err).append(data);
    }
    if (stdin_fd.valid() && (fds[3].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::write(stdin_fd.get(), options.input.data() + written, options.input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EINTR && errno != EAGAIN) || written == options.input.size()) stdin_fd.reset();
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace dbuild::os
