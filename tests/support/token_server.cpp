// token_server.cpp: the test token server: one HTTP/1.1 request per connection, answered on
// its own thread; JWTs as docker/distribution's token auth verifies them (x5c chain to the
// rootcertbundle, aud = service, iss = issuer, access claims).
#include "support/token_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/skip.hpp"

namespace dbuild::test {
namespace {

using json = nlohmann::json;
constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::string& data, bool url) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < data.size()) {
    unsigned n = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) n |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    if (i + 1 < data.size())
      out += kAlphabet[(n >> 6) & 63];
    else if (!url)
      out += '=';
    if (!url) out += '=';
  }
  if (url)
    for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string unbase64(const std::string& text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    auto at = std::string_view(kAlphabet).find(c);
    if (at == std::string_view::npos) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::string url_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::multimap<std::string, std::string> query_of(const std::string& target) {
  std::multimap<std::string, std::string> query;
  auto at = target.find('?');
  if (at == std::string::npos) return query;
  std::istringstream parts(target.substr(at + 1));
  for (std::string part; std::getline(parts, part, '&');) {
    auto equals = part.find('=');
    if (equals != std::string::npos) query.emplace(part.substr(0, equals), url_decode(part.substr(equals + 1)));
  }
  return query;
}

void send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

void reply(int fd, int status, const std::string& reason, const std::string& body) {
  std::ostringstream out;
  out << "HTTP/1.1 " << status << " " << reason
      << "\r\nContent-Type: application/json\r\nContent-Length: " << body.size() << "\r\nConnection: close\r\n\r\n"
      << body;
  send_all(fd, out.str());
}

std::string read_request(int fd) {
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 5000) <= 0) break;
    auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    request.append(buffer, static_cast<std::size_t>(n));
  }
  return request;
}

json access_of(const std::vector<std::string>& scopes) {
  json access = json::array();
  for (const auto& scope : scopes) {
    auto first = scope.find(':'), last = scope.rfind(':');
    if (first == std::string::npos || first == last) continue;
    json actions = json::array();
    std::istringstream list(scope.substr(last + 1));
    for (std::string action; std::getline(list, action, ',');) actions.push_back(action);
    access.push_back(
        {{"type", scope.substr(0, first)}, {"name", scope.substr(first + 1, last - first - 1)}, {"actions", actions}});
  }
  return access;
}

}  // namespace

TestTokenServer::TestTokenServer(const std::filesystem::path& dir, std::map<std::string, std::string> users,
                                 int expires_in)
    : key_(dir / "token.key"), certificate_(dir / "token.crt"), users_(std::move(users)), expires_in_(expires_in) {
  if (run_process({"sh", "-c", "command -v openssl"}).exit_code != 0) skip_test("needs the openssl command");
  std::filesystem::create_directories(dir);
  auto made = run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                           "/CN=dbuild test token issuer", "-keyout", key_.string(), "-out", certificate_.string()});
  if (made.exit_code != 0) throw std::runtime_error("openssl req failed: " + made.err);
  auto der = run_process({"openssl", "x509", "-in", certificate_.string(), "-outform", "DER"});
  if (der.exit_code != 0) throw std::runtime_error("openssl x509 failed: " + der.err);
  certificate_der_base64_ = base64(der.out, false);

  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 || ::pipe(stop_pipe_) != 0)
    throw std::runtime_error("the token server cannot listen");
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

TestTokenServer::~TestTokenServer() {
  (void)!::write(stop_pipe_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  for (int fd : {listen_fd_, stop_pipe_[0], stop_pipe_[1]})
    if (fd >= 0) ::close(fd);
}

std::vector<std::string> TestTokenServer::scopes_requested() const {
  std::lock_guard lock(mutex_);
  return scopes_;
}

void TestTokenServer::serve() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    handle(fd);
    ::close(fd);
  }
}

void TestTokenServer::handle(int fd) {
  auto request = read_request(fd);
  std::istringstream lines(request);
  std::string method, target;
  lines >> method >> target;
  if (method != "GET" || !target.starts_with("/token"))
    return reply(fd, 404, "Not Found", R"({"details":"not found"})");
  std::string account;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("Authorization: Basic ")) continue;
    auto decoded = unbase64(line.substr(21));
    auto colon = decoded.find(':');
    auto user = decoded.substr(0, colon);
    auto found = users_.find(user);
    if (colon == std::string::npos || found == users_.end() || found->second != decoded.substr(colon + 1)) {
      ++refused_;
      return reply(fd, 401, "Unauthorized", R"({"details":"incorrect username or password"})");
    }
    account = user;
  }
  std::vector<std::string> scopes;
  for (const auto& [name, value] : query_of(target))
    if (name == "scope") scopes.push_back(value);
  {
    std::lock_guard lock(mutex_);
    scopes_.insert(scopes_.end(), scopes.begin(), scopes.end());
  }
  auto token = issue(account, account.empty() ? std::vector<std::string>() : scopes);
  char issued_at[32];
  auto now = std::time(nullptr);
  std::strftime(issued_at, sizeof issued_at, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  ++issued_;
  reply(fd, 200, "OK",
        json{{"token", token}, {"access_token", token}, {"expires_in", expires_in_}, {"issued_at", issued_at}}.dump());
}

std::string TestTokenServer::issue(const std::string& account, const std::vector<std::string>& scopes) {
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", {certificate_der_base64_}}};
  json claims = {{"iss", issuer()},
                 {"sub", account},
                 {"aud", service()},
                 {"exp", now + expires_in_},
                 {"nbf", now - 10},
                 {"iat", now},
                 {"jti", std::to_string(now) + "-" + std::to_string(issued_.load())},
                 {"access", access_of(scopes)}};
  auto signing_input = base64(header.dump(), true) + "." + base64(claims.dump(), true);
  ProcessOptions options;
  options.input = signing_input;
  auto signature = run_process({"openssl", "dgst", "-sha256", "-sign", key_.string()}, options);
  if (signature.exit_code != 0) throw std::runtime_error("openssl dgst failed: " + signature.err);
  return signing_input + "." + base64(signature.out, true);
}

}  // namespace dbuild::test
