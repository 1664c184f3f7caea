// dockerfile_frontend.hpp: the `dockerfile` frontend: reads the Dockerfile the client sent,
// parses it, and converts it into one Definition per target platform (convert/).
#pragma once

#include <dbuild/sdk/frontend.hpp>

namespace dbuild::dockerfile {

class DockerfileFrontend final : public sdk::Frontend {
 public:
  [[nodiscard]] sdk::Status check(const sdk::Attributes& options) override;
  [[nodiscard]] sdk::Result<sdk::FrontendResult> build(const sdk::FrontendRequest& request,
                                                       sdk::FrontendContext& context) override;
};

}  // namespace dbuild::dockerfile
