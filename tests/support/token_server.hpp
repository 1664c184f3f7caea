// token_server.hpp: a small bearer-token server for docker-registry's `token` auth, started by a
// test on 127.0.0.1: it checks Basic credentials against its users, and issues RS256 JWTs
// (signed with the openssl command, the certificate in the x5c header) granting every scope asked
// for to known users and none to anonymous ones. It counts the tokens it issues.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dbuild::test {

class TestTokenServer {
 public:
  /// Makes a signing key and certificate in `dir` and starts listening.
  TestTokenServer(const std::filesystem::path& dir, std::map<std::string, std::string> users, int expires_in = 300);
  ~TestTokenServer();
  TestTokenServer(const TestTokenServer&) = delete;
  TestTokenServer& operator=(const TestTokenServer&) = delete;

  [[nodiscard]] std::string realm() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }
  [[nodiscard]] std::string service() const { return "dbuild-test-registry"; }
  [[nodiscard]] std::string issuer() const { return "dbuild-test-issuer"; }
  /// The certificate the registry trusts tokens from (its rootcertbundle).
  [[nodiscard]] const std::filesystem::path& certificate() const { return certificate_; }

  [[nodiscard]] int tokens_issued() const { return issued_; }
  [[nodiscard]] int refusals() const { return refused_; }
  /// The scope parameters of every token request, in order.
  [[nodiscard]] std::vector<std::string> scopes_requested() const;

 private:
  void serve();
  void handle(int fd);
  std::string issue(const std::string& account, const std::vector<std::string>& scopes);

  std::filesystem::path key_;
  std::filesystem::path certificate_;
  std::string certificate_der_base64_;
  std::map<std::string, std::string> users_;
  int expires_in_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<int> issued_{0};
  std::atomic<int> refused_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> scopes_;
  std::thread thread_;
};

}  // namespace dbuild::test
