// frontend.hpp: the frontend plugin interface. A frontend turns build inputs (a Dockerfile and
// its context, a Definition file, ...) into the Definition the solver runs.
//
// Example: a frontend that accepts only the option it understands.
//
//   class MyFrontend final : public dbuild::sdk::Frontend {
//    public:
//     dbuild::sdk::Status check(const dbuild::sdk::Attributes& options) override {
//       for (const auto& [key, value] : options)
//         if (key != "filename") return dbuild::sdk::Status::invalid_argument("unknown option " + key);
//       return dbuild::sdk::Status::ok();
//     }
//   };
#pragma once

#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

class Frontend {
 public:
  virtual ~Frontend() = default;

  /// Validates the frontend options before the build starts. Errors: invalid_argument.
  [[nodiscard]] virtual Status check(const Attributes& options) = 0;
};

}  // namespace dbuild::sdk
