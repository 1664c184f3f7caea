// fake_host.hpp: an sdk::Host for unit tests: remembers log lines, runs no engine, reaches no registry.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <dbuild/sdk/engine.hpp>
#include <dbuild/sdk/host.hpp>
#include <dbuild/sdk/registry.hpp>

namespace dbuild::test {

class MemoryLogger final : public sdk::Logger {
 public:
  void log(sdk::LogLevel, std::string_view message) override {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(message);
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

/// A registry service with no network: every call is unavailable.
class OfflineRegistry final : public sdk::Registry {
 public:
  sdk::Result<std::string> normalize(std::string_view reference) override { return std::string(reference); }
  sdk::Result<sdk::Descriptor> resolve(std::string_view, const std::optional<sdk::Platform>&) override { return offline(); }
  sdk::Result<std::string> fetch_manifest(std::string_view, const sdk::Digest&) override { return offline(); }
  sdk::Status pull_blob(std::string_view, const sdk::Descriptor&, sdk::ContentStore&, const sdk::TransferHooks&) override {
    return offline();
  }
  sdk::Result<sdk::Descriptor> push_image(std::string_view, const sdk::Descriptor&, sdk::ContentStore&,
                                          const sdk::TransferHooks&) override {
    return offline();
  }

 private:
  static sdk::Status offline() { return sdk::Status::unavailable("FakeHost has no registry"); }
};

class FakeHost final : public sdk::Host {
 public:
  std::string_view version() const override { return "0.0.0-test"; }
  sdk::Logger& logger() override { return logger_; }
  sdk::Result<std::unique_ptr<sdk::Engine>> open_local_engine(const sdk::LocalEngineOptions&) override {
    return sdk::Status::unimplemented("FakeHost runs no engine");
  }
  sdk::Registry& registry() override { return registry_; }

  MemoryLogger logger_;
  OfflineRegistry registry_;
};

}  // namespace dbuild::test
