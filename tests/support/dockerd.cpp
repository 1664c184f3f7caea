// dockerd.cpp: starting, waiting for and stopping the private engine.
#include "support/dockerd.hpp"

#include <signal.h>
#include <unistd.h>

#include "support/skip.hpp"

namespace dbuild::test {

namespace fs = std::filesystem;

Dockerd::Dockerd() : socket_(dir_.path() / "docker.sock") {
  require_root();
  if (!fs::exists("/usr/sbin/dockerd") || !fs::exists("/usr/bin/docker"))
    skip_test("needs Debian's docker.io (dockerd and /usr/bin/docker)");
  const auto root = dir_.path();
  process_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{
      "/usr/sbin/dockerd", "--data-root", (root / "data").string(), "--exec-root", (root / "exec").string(),
      "--pidfile", (root / "dockerd.pid").string(), "-H", host(), "--bridge=none", "--iptables=false",
      "--ip-masq=false", "--storage-driver=overlay2"});
  for (int i = 0; i < 600; ++i) {
    if (docker({"version"}).exit_code == 0) return;
    ::usleep(100000);
  }
  skip_test("dockerd did not answer on " + host() + " within 60 s");
}

Dockerd::~Dockerd() {
  if (!process_) return;
  process_->send_signal(SIGTERM);
  process_->wait();
}

ProcessResult Dockerd::docker(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"/usr/bin/docker", "-H", host()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

}  // namespace dbuild::test
