// platform_matcher.hpp: which platforms a machine that wants one platform can run, best first, as
// containerd's platforms.Only and OnlyStrict decide; used to pick a manifest out of an image index.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include <dbuild/sdk/platform.hpp>

namespace dbuild::oci {

class PlatformMatcher {
 public:
  /// The wanted platform and what it also runs, in order of preference: lower variants of the
  /// same architecture (amd64/v3 runs v2 and v1, arm/v7 runs v6 and v5, arm64/v9.x runs
  /// v9.0..v9.x and v8.0..v8.(x+5) up to v8.9), and the 32-bit counterpart (amd64 runs 386,
  /// arm64 runs arm v8..v5).
  [[nodiscard]] static PlatformMatcher only(const sdk::Platform& wanted);
  /// The wanted platform alone, after normalisation (linux/arm is linux/arm/v7, linux/arm64/v8
  /// is linux/arm64).
  [[nodiscard]] static PlatformMatcher only_strict(const sdk::Platform& wanted);

  /// Where `candidate` stands in the order of preference (0: the wanted platform itself), or
  /// empty when it is not accepted. The candidate is normalised first; the OS version is not
  /// compared; its OS features must all be among the wanted platform's.
  [[nodiscard]] std::optional<std::size_t> rank(const sdk::Platform& candidate) const;
  [[nodiscard]] bool matches(const sdk::Platform& candidate) const { return rank(candidate).has_value(); }

  /// The accepted platforms, normalised, best first.
  [[nodiscard]] const std::vector<sdk::Platform>& accepted() const { return accepted_; }

 private:
  explicit PlatformMatcher(std::vector<sdk::Platform> accepted);
  std::vector<sdk::Platform> accepted_;
};

}  // namespace dbuild::oci
