// expose_ports.cpp: EXPOSE port specs -> image config keys, as BuildKit's convert_expose.go
// parses them ([ip:][hostPort:]containerPort[-end][/proto]; only the container side is kept).
#include <arpa/inet.h>

#include "instructions/instructions.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

namespace text = parser_text;

struct PortSpec {
  std::string ip;
  std::string host_port;
  std::string container_port;
};

PortSpec split_parts(std::string_view raw) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  for (std::size_t colon; (colon = raw.find(':', begin)) != std::string_view::npos; begin = colon + 1)
    parts.emplace_back(raw.substr(begin, colon - begin));
  parts.emplace_back(raw.substr(begin));
  const std::size_t n = parts.size();
  if (n == 1) return {"", "", parts[0]};
  if (n == 2) return {"", parts[0], parts[1]};
  std::string ip = parts[0];
  for (std::size_t i = 1; i + 2 < n; ++i) ip += ":" + parts[i];
  return {ip, parts[n - 2], parts[n - 1]};
}

bool is_ip(const std::string& ip) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, ip.c_str(), buffer) == 1 || inet_pton(AF_INET6, ip.c_str(), buffer) == 1;
}

struct Range {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
};

sdk::Result<Range> port_range(const std::string& ports) {
  if (ports.empty()) return sdk::Status::invalid_argument("empty string specified for ports");
  const auto dash = ports.find('-');
  if (dash == std::string::npos) {
    auto port = text::parse_uint(ports, 10, 16);
    if (!port) return port.status();
    return Range{*port, *port};
  }
  if (ports.find('-', dash + 1) != std::string::npos)
    return sdk::Status::invalid_argument("invalid port range format: " + ports);
  auto start = text::parse_uint(ports.substr(0, dash), 10, 16);
  if (!start) return start.status();
  auto end = text::parse_uint(ports.substr(dash + 1), 10, 16);
  if (!end) return end.status();
  if (*end < *start) return sdk::Status::invalid_argument("invalid range specified for port: " + ports);
  return Range{*start, *end};
}

// The reason a spec is invalid, or its keys.
sdk::Result<std::vector<std::string>> container_ports(std::string_view raw) {
  auto [ip, host_port, container] = split_parts(raw);
  const auto slash = container.find('/');
  std::string proto = slash == std::string::npos ? "" : container.substr(slash + 1);
  container = container.substr(0, slash);
  if (container.empty()) return sdk::Status::invalid_argument("no port specified");
  proto = proto.empty() ? "tcp" : text::to_lower(proto);
  if (proto != "tcp" && proto != "udp" && proto != "sctp") return sdk::Status::invalid_argument("invalid proto: " + proto);
  if (!ip.empty() && ip[0] == '[') {
    if (ip.back() != ']' || ip.find(']') != ip.size() - 1)
      return sdk::Status::invalid_argument("invalid IP address " + ip + ": missing ']' in address");
    ip = ip.substr(1, ip.size() - 2);
  }
  if (!ip.empty() && !is_ip(ip)) return sdk::Status::invalid_argument("invalid IP address: " + ip);
  auto ports = port_range(container);
  if (!ports) return sdk::Status::invalid_argument("invalid containerPort: " + container);
  if (!host_port.empty()) {
    auto host = port_range(host_port);
    if (!host) return sdk::Status::invalid_argument("invalid hostPort: " + host_port);
    if (ports->end - ports->start != host->end - host->start && ports->end != ports->start)
      return sdk::Status::invalid_argument("invalid ranges specified for container and host Ports: " + container +
                                           " and " + host_port);
  }
  std::vector<std::string> keys;
  for (std::uint64_t port = ports->start; port <= ports->end; ++port) keys.push_back(std::to_string(port) + "/" + proto);
  return keys;
}

}  // namespace

sdk::Result<std::vector<std::string>> parse_expose_ports(std::string_view spec) {
  auto keys = container_ports(spec);
  if (!keys) return sdk::Status::invalid_argument("invalid port: " + text::quote(spec) + ": " + keys.status().message());
  return keys;
}

}  // namespace dbuild::dockerfile
