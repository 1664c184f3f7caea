// platform_matcher.cpp: the lists of platforms a wanted platform accepts. The arm64 rules follow
// Arm's architecture versions: Armv9.x has the baseline of Armv8.(x+5), and Armv8 stops at 8.9.
#include "oci/platform_matcher.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

namespace dbuild::oci {
namespace {

constexpr int kArm64MaxV8Minor = 9;

// "v3" -> 3, "v8.2" -> {8, 2}; empty for anything else.
std::optional<std::pair<int, int>> variant_numbers(std::string_view variant) {
  if (variant.size() < 2 || variant.front() != 'v') return std::nullopt;
  variant.remove_prefix(1);
  int major = 0;
  int minor = 0;
  auto [end, error] = std::from_chars(variant.data(), variant.data() + variant.size(), major);
  if (error != std::errc()) return std::nullopt;
  std::string_view rest(end, static_cast<std::size_t>(variant.data() + variant.size() - end));
  if (rest.empty()) return std::pair{major, 0};
  if (rest.front() != '.' || rest.size() < 2) return std::nullopt;
  auto [minor_end, minor_error] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), minor);
  if (minor_error != std::errc() || minor_end != rest.data() + rest.size()) return std::nullopt;
  return std::pair{major, minor};
}

sdk::Platform with(const sdk::Platform& base, std::string architecture, std::string variant) {
  sdk::Platform out = base;
  out.architecture = std::move(architecture);
  out.variant = std::move(variant);
  return out;
}

// arm/vN for N from `from` down to 5.
void add_arm_variants(const sdk::Platform& base, int from, std::vector<sdk::Platform>& out) {
  for (int version = from; version >= 5; --version) out.push_back(with(base, "arm", "v" + std::to_string(version)));
}

void add_arm64_variants(const sdk::Platform& wanted, std::vector<sdk::Platform>& out) {
  auto numbers = variant_numbers(wanted.variant.empty() ? "v8" : wanted.variant);
  if (numbers && (numbers->first == 8 || numbers->first == 9)) {
    auto [major, minor] = *numbers;
    auto name = [](int major_version, int minor_version) {
      return "v" + std::to_string(major_version) + (minor_version == 0 ? "" : "." + std::to_string(minor_version));
    };
    for (int lower = minor - 1; lower >= 0; --lower) out.push_back(with(wanted, "arm64", name(major, lower)));
    if (major == 9) {
      for (int v8 = std::min(minor + 5, kArm64MaxV8Minor); v8 >= 0; --v8)
        out.push_back(with(wanted, "arm64", name(8, v8)));
    }
  }
  add_arm_variants(wanted, 8, out);
}

// Every candidate feature must be a wanted one (both lists are sorted after normalisation).
bool features_fit(const std::vector<std::string>& wanted, const std::vector<std::string>& candidate) {
  return std::includes(wanted.begin(), wanted.end(), candidate.begin(), candidate.end());
}

}  // namespace

PlatformMatcher::PlatformMatcher(std::vector<sdk::Platform> accepted) : accepted_(std::move(accepted)) {
  for (auto& platform : accepted_) platform = platform.normalized();
}

PlatformMatcher PlatformMatcher::only_strict(const sdk::Platform& wanted) { return PlatformMatcher({wanted}); }

PlatformMatcher PlatformMatcher::only(const sdk::Platform& wanted) {
  const sdk::Platform normal = wanted.normalized();
  std::vector<sdk::Platform> accepted = {normal};
  auto numbers = variant_numbers(normal.variant);
  if (normal.architecture == "amd64") {
    if (numbers && numbers->second == 0)
      for (int version = numbers->first - 1; version >= 1; --version)
        accepted.push_back(with(normal, "amd64", "v" + std::to_string(version)));
    accepted.push_back(with(normal, "386", ""));
  } else if (normal.architecture == "arm") {
    if (numbers && numbers->second == 0) add_arm_variants(normal, numbers->first - 1, accepted);
  } else if (normal.architecture == "arm64") {
    add_arm64_variants(normal, accepted);
  }
  return PlatformMatcher(std::move(accepted));
}

std::optional<std::size_t> PlatformMatcher::rank(const sdk::Platform& candidate) const {
  const sdk::Platform normal = candidate.normalized();
  for (std::size_t i = 0; i < accepted_.size(); ++i) {
    const auto& accepted = accepted_[i];
    if (accepted.os == normal.os && accepted.architecture == normal.architecture &&
        accepted.variant == normal.variant && features_fit(accepted.os_features, normal.os_features))
      return i;
  }
  return std::nullopt;
}

}  // namespace dbuild::oci
