// platform.cpp: reading, normalising and writing platform specifiers the way containerd's
// platforms package does, so that "linux/aarch64" and "linux/arm64/v8" name the same platform
// everywhere in dbuild.
#include <dbuild/sdk/platform.hpp>

#include <algorithm>
#include <array>
#include <optional>

namespace dbuild::sdk {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// A path component: [A-Za-z0-9_.-]+
bool is_component(std::string_view part) {
  return !part.empty() &&
         std::all_of(part.begin(), part.end(), [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

// An OS version or feature before decoding: [A-Za-z0-9_.%-]*
bool is_os_option(std::string_view option) {
  return std::all_of(option.begin(), option.end(),
                     [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '%' || c == '-'; });
}

bool is_known_os(std::string_view os) {
  static constexpr std::array<std::string_view, 18> kOses = {
      "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",    "illumos", "ios",     "js",
      "linux", "nacl",    "netbsd", "openbsd",   "plan9",   "solaris", "wasip1",  "windows", "zos"};
  return std::find(kOses.begin(), kOses.end(), os) != kOses.end();
}

bool is_known_arch(std::string_view arch) {
  static constexpr std::array<std::string_view, 24> kArches = {
      "386",     "amd64",  "amd64p32", "arm",      "armbe",     "arm64",       "arm64be", "loong64",
      "mips",    "mipsle", "mips64",   "mips64le", "mips64p32", "mips64p32le", "ppc",     "ppc64",
      "ppc64le", "riscv",  "riscv64",  "s390",     "s390x",     "sparc",       "sparc64", "wasm"};
  return std::find(kArches.begin(), kArches.end(), arch) != kArches.end();
}

std::string normalize_os(std::string_view os) {
  std::string out = lower(os);
  return out == "macos" ? "darwin" : out;
}

// Architecture aliases and the variants each architecture spells without a variant.
void normalize_arch(std::string& arch, std::string& variant) {
  arch = lower(arch);
  variant = lower(variant);
  if (arch == "i386") {
    arch = "386";
    variant.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (variant == "v1") variant.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (variant == "8" || variant == "v8" || variant == "v8.0") variant.clear();
    if (variant == "9" || variant == "9.0" || variant == "v9.0") variant = "v9";
  } else if (arch == "armhf") {
    arch = "arm";
    variant = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    variant = "v6";
  } else if (arch == "arm") {
    if (variant.empty() || variant == "7")
      variant = "v7";
    else if (variant == "5" || variant == "6" || variant == "8")
      variant = "v" + variant;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes, as Go's url.PathUnescape reads them; empty on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '+': out += "%2B"; break;
      case '(': out += "%28"; break;
      case ')': out += "%29"; break;
      case '/': out += "%2F"; break;
      default: out += c;
    }
  }
  return out;
}

// Go's path.Join for the parts Format writes: empty parts are left out.
std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto part : parts) {
    if (part.empty()) continue;
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto at = text.find(separator, start);
    parts.emplace_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

// The first part, "name[(version[+feature]...)]", into the os fields of `platform`. Empty when valid.
std::string read_os_part(std::string_view part, Platform& platform) {
  auto open = part.find('(');
  auto name = part.substr(0, open);
  if (name.empty() ||
      !std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '_' || c == '-'; }))
    return "the os must be letters, digits, '_' or '-'";
  platform.os = normalize_os(name);
  if (open == std::string_view::npos) return {};
  if (part.back() != ')') return "the os options must end with ')'";
  auto options = split(part.substr(open + 1, part.size() - open - 2), '+');
  for (const auto& option : options)
    if (!is_os_option(option)) return "bad character in the os options";
  auto version = percent_decode(options.front());
  if (!version) return "bad %-escape in the os version";
  platform.os_version = *version;
  for (std::size_t i = 1; i < options.size(); ++i) {
    auto feature = percent_decode(options[i]);
    if (options[i].empty() || !feature) return "bad os feature";
    platform.os_features.push_back(*feature);
  }
  return {};
}

}  // namespace

std::string Platform::str() const {
  if (os.empty()) return "unknown";
  return join({os, architecture, variant});
}

std::string Platform::str_all() const {
  if (os.empty()) return "unknown";
  std::string options = percent_encode(os_version);
  auto features = os_features;
  std::sort(features.begin(), features.end());
  for (const auto& feature : features)
    if (!feature.empty()) options += "+" + percent_encode(feature);
  return join({options.empty() ? os : os + "(" + options + ")", architecture, variant});
}

Platform Platform::normalized() const {
  Platform out = *this;
  out.os = normalize_os(os);
  normalize_arch(out.architecture, out.variant);
  std::sort(out.os_features.begin(), out.os_features.end());
  out.os_features.erase(std::unique(out.os_features.begin(), out.os_features.end()), out.os_features.end());
  return out;
}

Platform Platform::host() {
  Platform platform;
  platform.os = "linux";
#if defined(__x86_64__)
  platform.architecture = "amd64";
#elif defined(__aarch64__)
  platform.architecture = "arm64";
#elif defined(__arm__)
  platform.architecture = "arm";
  platform.variant = "v7";
#elif defined(__i386__)
  platform.architecture = "386";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
  platform.architecture = "ppc64le";
#elif defined(__s390x__)
  platform.architecture = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  platform.architecture = "riscv64";
#else
  platform.architecture = "unknown";
#endif
  return platform;
}

Result<Platform> Platform::parse_specifier(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Status::invalid_argument("invalid platform \"" + std::string(text) + "\": " + std::string(why));
  };
  if (text.find('*') != std::string_view::npos) return invalid("wildcards are not supported");
  auto parts = split(text, '/');
  if (parts.size() > 3) return invalid("expected os[/arch[/variant]]");
  Platform platform;
  if (auto why = read_os_part(parts[0], platform); !why.empty()) return invalid(why);
  for (std::size_t i = 1; i < parts.size(); ++i)
    if (!is_component(parts[i])) return invalid("each part must be letters, digits, '_', '.' or '-'");

  if (parts.size() == 1) {
    const Platform here = host();
    if (is_known_os(platform.os)) {
      platform.architecture = here.architecture;
      // containerd leaves out the host's variant when it is arm's usual v7.
      if (here.architecture == "arm" && here.variant != "v7") platform.variant = here.variant;
      return platform;
    }
    std::string variant;
    platform.architecture = parts[0];
    normalize_arch(platform.architecture, variant);
    platform.variant = platform.architecture == "arm" && variant == "v7" ? "" : variant;
    if (!is_known_arch(platform.architecture)) return invalid("unknown operating system or architecture");
    platform.os = here.os;
    platform.os_version.clear();
    platform.os_features.clear();
    return platform;
  }
  platform.architecture = parts[1];
  platform.variant = parts.size() == 3 ? parts[2] : "";
  normalize_arch(platform.architecture, platform.variant);
  if (parts.size() == 2 && platform.architecture == "arm" && platform.variant == "v7") platform.variant.clear();
  if (parts.size() == 3 && platform.architecture == "arm64" && platform.variant.empty()) platform.variant = "v8";
  return platform;
}

Result<Platform> Platform::parse(std::string_view text) {
  auto platform = parse_specifier(text);
  if (!platform) return platform;
  return platform->normalized();
}

}  // namespace dbuild::sdk
