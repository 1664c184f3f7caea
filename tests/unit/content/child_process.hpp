// child_process.hpp: a forked child for tests that need a second process (a writer that dies,
// a lease owner, a concurrent GC), and a pipe to talk to it. Nothing that holds an SQLite
// connection may be open in the parent when it forks: connections must not cross a fork.
#pragma once

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

namespace dbuild::test {

/// One-way byte pipe; each side closes the end it does not use.
class Pipe {
 public:
  Pipe() {
    if (::pipe(fds_) != 0) fds_[0] = fds_[1] = -1;
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  void close_read() { close_end(0); }
  void close_write() { close_end(1); }
  bool send(const std::string& text) {
    return ::write(fds_[1], text.data(), text.size()) == static_cast<ssize_t>(text.size());
  }
  /// True once every write end is closed (after draining anything sent), waiting up to
  /// `timeout_ms` for it.
  bool closed(int timeout_ms) {
    pollfd fd{fds_[0], POLLIN, 0};
    if (::poll(&fd, 1, timeout_ms) <= 0) return false;
    char byte;
    return ::read(fds_[0], &byte, 1) == 0;
  }
  /// Reads until `size` bytes or end of file.
  std::string receive(std::size_t size) {
    std::string text(size, '\0');
    std::size_t done = 0;
    while (done < size) {
      const ssize_t got = ::read(fds_[0], text.data() + done, size - done);
      if (got <= 0) break;
      done += static_cast<std::size_t>(got);
    }
    text.resize(done);
    return text;
  }

 private:
  void close_end(int end) {
    if (fds_[end] >= 0) ::close(fds_[end]);
    fds_[end] = -1;
  }
  int fds_[2];
};

/// Runs `body` in a child process, which exits with its result without running destructors or
/// atexit handlers (Catch2's among them). Returns the child's pid, or -1.
inline pid_t fork_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  return pid;
}

/// Waits for the child; its exit code, or 128+signal.
inline int wait_child(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace dbuild::test
