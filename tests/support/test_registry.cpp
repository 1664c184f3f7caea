// test_registry.cpp: starting and stopping docker-registry, and the test certificates.
#include "support/test_registry.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/skip.hpp"

namespace fs = std::filesystem;

namespace dbuild::test {
namespace {

constexpr const char* kRegistryBinary = "/usr/bin/docker-registry";

void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = run_process(argv);
  if (result.exit_code != 0) throw std::runtime_error("openssl " + args[0] + " failed: " + result.err);
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

TestCertificates make_test_certificates(const fs::path& dir) {
  if (run_process({"sh", "-c", "command -v openssl"}).exit_code != 0) skip_test("needs the openssl command");
  fs::create_directories(dir);
  TestCertificates certs{dir / "ca.crt", dir / "server.crt", dir / "server.key"};
  openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=dbuild test CA", "-keyout",
           (dir / "ca.key").string(), "-out", certs.ca_cert.string(), "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  openssl({"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", certs.server_key.string(),
           "-out", (dir / "server.csr").string()});
  write_text(dir / "server.ext",
             "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
             "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
  openssl({"x509", "-req", "-in", (dir / "server.csr").string(), "-CA", certs.ca_cert.string(), "-CAkey",
           (dir / "ca.key").string(), "-CAcreateserial", "-days", "2", "-out", certs.server_cert.string(), "-extfile",
           (dir / "server.ext").string()});
  return certs;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool wait_for_port(int port, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (connected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TestRegistry::TestRegistry(TestRegistryOptions options) : options_(std::move(options)) {
  if (!fs::exists(kRegistryBinary)) skip_test("needs Debian's docker-registry (share/setup/install-deps test)");
  if (options_.basic_user) {
    if (run_process({"sh", "-c", "command -v htpasswd"}).exit_code != 0) skip_test("needs htpasswd (apache2-utils)");
    // distribution accepts only bcrypt entries.
    auto result = run_process({"htpasswd", "-Bbn", options_.basic_user->first, options_.basic_user->second});
    if (result.exit_code != 0) throw std::runtime_error("htpasswd failed: " + result.err);
    write_text(dir_.path() / "htpasswd", result.out);
  }
  port_ = free_port();
  write_config();
  start();
}

TestRegistry::~TestRegistry() = default;

void TestRegistry::write_config() {
  std::ostringstream config;
  config << "version: 0.1\nlog:\n  level: info\n"
         << "storage:\n  filesystem:\n    rootdirectory: " << (dir_.path() / "storage").string()
         << "\n  delete:\n    enabled: true\n"
         << "http:\n  addr: " << host() << "\n  secret: dbuild-test-secret\n";
  if (options_.tls)
    config << "  tls:\n    certificate: " << options_.tls->server_cert.string()
           << "\n    key: " << options_.tls->server_key.string() << "\n";
  if (options_.basic_user)
    config << "auth:\n  htpasswd:\n    realm: dbuild-test\n    path: " << (dir_.path() / "htpasswd").string() << "\n";
  if (options_.token)
    config << "auth:\n  token:\n    realm: " << options_.token->realm << "\n    service: " << options_.token->service
           << "\n    issuer: " << options_.token->issuer
           << "\n    rootcertbundle: " << options_.token->root_cert_bundle.string() << "\n";
  write_text(dir_.path() / "config.yml", config.str());
}

void TestRegistry::start() {
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{kRegistryBinary, "serve", (dir_.path() / "config.yml").string()});
  if (process_->wait_for_output("listening on", 20) && wait_for_port(port_, 20)) return;
  process_->send_signal(SIGKILL);
  auto result = process_->wait();
  process_.reset();
  throw std::runtime_error("docker-registry did not start:\n" + result.err + result.out);
}

void TestRegistry::stop() {
  if (!process_) return;
  process_->send_signal(SIGKILL);
  (void)process_->wait();
  process_.reset();
}

// Access log lines are Apache's combined format on stdout:
// 127.0.0.1 - - [date] "GET /v2/x/blobs/sha256:... HTTP/1.1" 200 1234 "" "agent"
std::vector<RegistryRequest> TestRegistry::requests() const {
  std::vector<RegistryRequest> requests;
  if (!process_) return requests;
  for (const auto& line : lines_of(process_->output())) {
    const auto open = line.find("] \"");
    if (line.rfind("127.0.0.1 - ", 0) != 0 || open == std::string::npos) continue;
    std::istringstream fields(line.substr(open + 3));
    RegistryRequest request;
    std::string protocol;
    fields >> request.method >> request.uri >> protocol >> request.status;
    if (fields) requests.push_back(std::move(request));
  }
  return requests;
}

fs::path TestRegistry::blob_data_path(const std::string& digest) const {
  auto hex = digest.substr(digest.find(':') + 1);
  return dir_.path() / "storage" / "docker" / "registry" / "v2" / "blobs" / "sha256" / hex.substr(0, 2) / hex / "data";
}

fs::path TestRegistry::repository_path(const std::string& name) const {
  return dir_.path() / "storage" / "docker" / "registry" / "v2" / "repositories" / name;
}

ProcessResult run_skopeo(const std::vector<std::string>& args) {
  if (run_process({"sh", "-c", "command -v skopeo"}).exit_code != 0)
    skip_test("needs skopeo (share/setup/install-deps test)");
  std::vector<std::string> argv{"skopeo"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

}  // namespace dbuild::test
