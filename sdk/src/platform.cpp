// platform.cpp: parsing and normalising platform specifiers the way containerd does, so that
// "linux/aarch64" and "linux/arm64/v8" name the same platform everywhere in dbuild.
#include <dbuild/sdk/platform.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace dbuild::sdk {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_known_os(std::string_view os) {
  static constexpr std::array<std::string_view, 17> kOses = {
      "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",  "illumos", "ios",   "js",
      "linux", "nacl",    "netbsd", "openbsd",   "plan9",   "solaris", "windows", "zos"};
  return std::find(kOses.begin(), kOses.end(), os) != kOses.end();
}

bool is_known_arch(std::string_view arch) {
  static constexpr std::array<std::string_view, 30> kArches = {
      "386",     "amd64",   "amd64p32", "arm",     "armbe",   "arm64",    "arm64be", "loong64",
      "mips",    "mipsle",  "mips64",   "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64",
      "ppc64le", "riscv",   "riscv64",  "s390",    "s390x",   "sparc",    "sparc64", "wasm",
      "i386",    "x86_64",  "x86-64",   "aarch64", "armhf",   "armel"};
  return std::find(kArches.begin(), kArches.end(), arch) != kArches.end();
}

std::string normalize_os(std::string os) {
  if (os == "macos") return "darwin";
  return os;
}

void normalize_arch(std::string& arch, std::string& variant) {
  if (arch == "i386") {
    arch = "386";
    variant.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (variant == "v1") variant.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (variant == "8" || variant == "v8" || variant == "v8.0") variant.clear();
  } else if (arch == "armhf") {
    arch = "arm";
    variant = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    variant = "v6";
  } else if (arch == "arm") {
    if (variant.empty() || variant == "7") variant = "v7";
    else if (variant == "5" || variant == "6" || variant == "8") variant = "v" + variant;
  }
}

}  // namespace

std::string Platform::str() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
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

Result<Platform> Platform::parse(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Status::invalid_argument("invalid platform \"" + std::string(text) + "\": " + std::string(why));
  };
  if (text.empty()) return invalid("empty");
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto slash = text.find('/', start);
    parts.push_back(lower(text.substr(start, slash == std::string_view::npos ? slash : slash - start)));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() > 3) return invalid("expected os[/arch[/variant]]");
  for (const auto& part : parts) {
    if (part.empty()) return invalid("empty component");
    for (char c : part)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
        return invalid("unexpected character");
  }

  Platform platform;
  if (parts.size() == 1) {
    if (is_known_os(parts[0]) || parts[0] == "macos") {
      Platform host_platform = host();
      platform.os = normalize_os(parts[0]);
      platform.architecture = host_platform.architecture;
      platform.variant = host_platform.variant;
    } else if (is_known_arch(parts[0])) {
      platform.os = host().os;
      platform.architecture = parts[0];
    } else {
      return invalid("unknown operating system or architecture");
    }
  } else {
    platform.os = normalize_os(parts[0]);
    platform.architecture = parts[1];
    if (parts.size() == 3) platform.variant = parts[2];
  }
  normalize_arch(platform.architecture, platform.variant);
  return platform;
}

}  // namespace dbuild::sdk
