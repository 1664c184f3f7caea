// fake_host.hpp: an sdk::Host for unit tests: remembers log lines, runs no engine.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <dbuild/sdk/engine.hpp>
#include <dbuild/sdk/host.hpp>

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

class FakeHost final : public sdk::Host {
 public:
  std::string_view version() const override { return "0.0.0-test"; }
  sdk::Logger& logger() override { return logger_; }
  sdk::Result<std::unique_ptr<sdk::Engine>> open_local_engine(const sdk::LocalEngineOptions&) override {
    return sdk::Status::unimplemented("FakeHost runs no engine");
  }

  MemoryLogger logger_;
};

}  // namespace dbuild::test
