// fake_frontend_context.cpp: the fake's maps, and Docker's short names for images.
#include "support/fake_frontend_context.hpp"

#include <nlohmann/json.hpp>

namespace dbuild::test {
namespace {

// "alpine", "alpine:latest", "docker.io/library/alpine:latest" -> "alpine:latest".
std::string normalised(std::string reference) {
  for (const std::string prefix : {"docker.io/library/", "docker.io/", "index.docker.io/library/"})
    if (reference.rfind(prefix, 0) == 0) reference = reference.substr(prefix.size());
  const auto slash = reference.rfind('/');
  const auto tag = reference.find(':', slash == std::string::npos ? 0 : slash);
  if (tag == std::string::npos && reference.find('@') == std::string::npos) reference += ":latest";
  return reference;
}

}  // namespace

void FakeFrontendContext::add_file(std::string local_name, std::string path, std::string text) {
  std::lock_guard lock(mutex_);
  files_[{std::move(local_name), std::move(path)}] = std::move(text);
}

void FakeFrontendContext::add_image(const std::string& reference, std::string config) {
  std::lock_guard lock(mutex_);
  images_[normalised(reference)] = std::move(config);
}

std::string FakeFrontendContext::small_config(const sdk::Platform& platform, const std::vector<std::string>& env) {
  nlohmann::json config = {{"architecture", platform.architecture},
                           {"os", platform.os},
                           {"config", {{"Env", env.empty() ? std::vector<std::string>{"PATH=/usr/bin:/bin"} : env}}},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}}}};
  if (!platform.variant.empty()) config["variant"] = platform.variant;
  return config.dump();
}

sdk::Result<std::string> FakeFrontendContext::read_file(std::string_view local_name, std::string_view path) {
  std::lock_guard lock(mutex_);
  auto found = files_.find({std::string(local_name), std::string(path)});
  if (found == files_.end())
    return sdk::Status::not_found("no file \"" + std::string(path) + "\" in \"" + std::string(local_name) + "\"");
  return found->second;
}

sdk::Result<sdk::ImageConfigResult> FakeFrontendContext::resolve_image_config(std::string_view reference,
                                                                              const sdk::Platform&) {
  std::lock_guard lock(mutex_);
  resolved_.emplace_back(reference);
  const std::string name = normalised(std::string(reference));
  auto found = images_.find(name);
  if (found == images_.end())
    return sdk::Status::not_found(std::string(reference) + ": no such image in the fake registry");
  const std::string digest = "sha256:" + std::string(64, '0');
  const bool official = name.find('/') == std::string::npos;
  const std::string full = (official ? "docker.io/library/" : "docker.io/") + name;
  return sdk::ImageConfigResult{full + "@" + digest, digest, found->second};
}

void FakeFrontendContext::warn(std::string message, std::optional<sdk::SourceLocation> location) {
  std::lock_guard lock(mutex_);
  warnings_.push_back({std::move(message), std::move(location)});
}

std::vector<FakeFrontendContext::Warning> FakeFrontendContext::warnings() const {
  std::lock_guard lock(mutex_);
  return warnings_;
}

std::vector<std::string> FakeFrontendContext::resolved() const {
  std::lock_guard lock(mutex_);
  return resolved_;
}

}  // namespace dbuild::test
