// cache_backend.hpp: the cache backend plugin interface. A backend imports cache records from
// somewhere (`--cache-from type=NAME,...`) and exports them there (`--cache-to type=NAME,...`).
//
// Example: a backend that needs a `bucket=` attribute.
//
//   class S3Cache final : public dbuild::sdk::CacheBackend {
//    public:
//     dbuild::sdk::Status check(const dbuild::sdk::Attributes& attributes) override {
//       if (!attributes.count("bucket")) return dbuild::sdk::Status::invalid_argument("bucket= is required");
//       return dbuild::sdk::Status::ok();
//     }
//   };
#pragma once

#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

class CacheBackend {
 public:
  virtual ~CacheBackend() = default;

  /// Validates the attributes before the build starts. Errors: invalid_argument. Thread-safe.
  [[nodiscard]] virtual Status check(const Attributes& attributes) = 0;
};

}  // namespace dbuild::sdk
