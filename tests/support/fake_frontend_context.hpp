// fake_frontend_context.hpp: an sdk::FrontendContext for frontend tests: files from a map, base
// images from a table of small configs (anything else is not found), warnings remembered.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <dbuild/sdk/frontend.hpp>

namespace dbuild::test {

class FakeFrontendContext final : public sdk::FrontendContext {
 public:
  struct Warning {
    std::string message;
    std::optional<sdk::SourceLocation> location;
  };

  /// Serves `text` as `path` of the local directory `local_name` ("dockerfile", "context").
  void add_file(std::string local_name, std::string path, std::string text);
  /// Makes `reference` resolve to `config` (JSON). "alpine" also answers "docker.io/library/alpine"
  /// and "alpine:latest".
  void add_image(const std::string& reference, std::string config);
  /// A small linux image config for `platform`: PATH in Env, no layers' history.
  [[nodiscard]] static std::string small_config(const sdk::Platform& platform, const std::vector<std::string>& env = {});

  sdk::Result<std::string> read_file(std::string_view local_name, std::string_view path) override;
  sdk::Result<sdk::ImageConfigResult> resolve_image_config(std::string_view reference,
                                                           const sdk::Platform& platform) override;
  void warn(std::string message, std::optional<sdk::SourceLocation> location) override;

  [[nodiscard]] std::vector<Warning> warnings() const;
  /// The references resolve_image_config was asked for, in order.
  [[nodiscard]] std::vector<std::string> resolved() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::string> files_;
  std::map<std::string, std::string> images_;  // normalised reference -> config
  std::vector<Warning> warnings_;
  std::vector<std::string> resolved_;
};

}  // namespace dbuild::test
