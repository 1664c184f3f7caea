// engine.hpp: the Engine API, what a driver connects the CLI to. The local driver hands out
// the engine running in the CLI's own process; other drivers reach a dbuildd over HTTP.
#pragma once

#include <string>
#include <vector>

#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

struct EngineInfo {
  std::string version{};              // the engine's dbuild version
  std::string runtime{};              // "runc 1.1.5" or "crun 1.8.1", or empty when none works
  std::string state_root{};           // where the engine keeps its state
  std::vector<Platform> platforms{};  // what it can build for, the native one first
};

/// One engine. Calls may come from several threads at once.
class Engine {
 public:
  virtual ~Engine() = default;

  /// What the engine is and can do. Errors: unavailable (engine unreachable).
  [[nodiscard]] virtual Result<EngineInfo> info() = 0;
};

}  // namespace dbuild::sdk
