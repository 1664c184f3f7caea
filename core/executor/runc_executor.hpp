// runc_executor.hpp: the Executor that runs steps with runc (or crun) from a bundle per step.
// Containers live in a runtime state dir private to the state root, so that dbuild can list and
// delete what a killed dbuild process left behind without touching anyone else's containers.
#pragma once

#include <filesystem>

#include "executor/executor.hpp"
#include "executor/runtime.hpp"

namespace dbuild::executor {

class RuncExecutor final : public Executor {
 public:
  /// `state_dir` is the runtime's --root; `bundles_dir` holds one bundle directory per running
  /// step (removed when the step ends).
  RuncExecutor(RuntimeInfo runtime, std::filesystem::path state_dir, std::filesystem::path bundles_dir);

  [[nodiscard]] sdk::Result<ExecResult> run(const RunSpec& spec, const ExecOutput& output,
                                            std::stop_token stop) override;
  [[nodiscard]] std::string describe() const override { return runtime_.describe(); }

  /// Deletes the containers whose id starts with `prefix` (those of a dead dbuild process).
  sdk::Status delete_containers(std::string_view prefix);

 private:
  [[nodiscard]] std::vector<std::string> command(std::vector<std::string> args) const;

  RuntimeInfo runtime_;
  std::filesystem::path state_dir_;
  std::filesystem::path bundles_dir_;
};

}  // namespace dbuild::executor
