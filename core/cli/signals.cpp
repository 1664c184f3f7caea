// signals.cpp: a self-pipe written by the signal handler and a thread that turns it into
// request_stop (which is not async-signal-safe itself).
#include "cli/signals.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace dbuild::cli {
namespace {

int g_pipe[2] = {-1, -1};
std::atomic<int> g_signal{0};
std::thread g_watcher;

void on_signal(int number) {
  if (g_signal.exchange(number) != 0) {
    // A second Ctrl-C: the user wants out now. The next dbuild cleans up after this one.
    constexpr char kMessage[] = "\nstopped; leftovers are cleaned up by the next dbuild run\n";
    (void)!::write(2, kMessage, sizeof kMessage - 1);
    ::_exit(130);
  }
  char byte = 1;
  (void)!::write(g_pipe[1], &byte, 1);
}

}  // namespace

StopOnSignal::StopOnSignal(std::stop_source& source) {
  g_signal = 0;
  if (::pipe2(g_pipe, O_CLOEXEC) != 0) return;
  g_watcher = std::thread([&source, fd = g_pipe[0]] {
    char byte = 0;
    if (::read(fd, &byte, 1) == 1 && byte == 1) source.request_stop();
  });
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

StopOnSignal::~StopOnSignal() {
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  char done = 0;
  (void)!::write(g_pipe[1], &done, 1);
  if (g_watcher.joinable()) g_watcher.join();
  ::close(g_pipe[0]);
  ::close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

int StopOnSignal::signal() const { return g_signal.load(); }

}  // namespace dbuild::cli
