// definition_frontend.hpp: the `definition` frontend: builds a Definition written as JSON
// (share/doc/definition.md), as buildctl takes LLB. `dbuild build --frontend definition -f
// build.json CONTEXT`. The file may carry the image config under "image_config".
#pragma once

#include <dbuild/sdk/frontend.hpp>

namespace dbuild::frontends {

class DefinitionFrontend final : public sdk::Frontend {
 public:
  [[nodiscard]] sdk::Status check(const sdk::Attributes& options) override;
  [[nodiscard]] sdk::Result<sdk::FrontendResult> build(const sdk::FrontendRequest& request,
                                                       sdk::FrontendContext& context) override;
};

}  // namespace dbuild::frontends
