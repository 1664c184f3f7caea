// quiet_renderer.hpp: `--progress=quiet`: prints nothing while building, but keeps each step's
// last lines and failures so that the CLI can still explain a failed step.
#pragma once

#include "cli/progress/clock.hpp"
#include "cli/progress/renderer.hpp"

namespace dbuild::progress {

class QuietRenderer final : public Renderer {
 public:
  explicit QuietRenderer(Clock& clock) : clock_(clock) {}

  void emit(const sdk::ProgressEvent& event) noexcept override;
  void finish() noexcept override {}

 private:
  Clock& clock_;
};

}  // namespace dbuild::progress
