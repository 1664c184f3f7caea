// exporter.hpp: the exporter plugin interface. An exporter takes a build's result and puts it
// somewhere: the local image store, a registry, a tarball, a directory.
//
// Example: an exporter that only accepts a destination and checks it before the build runs.
//
//   class TarExporter final : public dbuild::sdk::Exporter {
//    public:
//     dbuild::sdk::Status check(const dbuild::sdk::Attributes& attributes) override {
//       if (!attributes.count("dest")) return dbuild::sdk::Status::invalid_argument("dest= is required");
//       return dbuild::sdk::Status::ok();
//     }
//   };
#pragma once

#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

class Exporter {
 public:
  virtual ~Exporter() = default;

  /// Validates the attributes and the destination before the build starts, so that a bad
  /// `dest=` fails in a second, not after the build. Errors: invalid_argument,
  /// permission_denied, not_found. Thread-safe.
  [[nodiscard]] virtual Status check(const Attributes& attributes) = 0;
};

}  // namespace dbuild::sdk
