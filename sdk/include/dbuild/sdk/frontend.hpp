// frontend.hpp: the frontend plugin interface. A frontend turns build inputs (a Dockerfile and
// its context, a Definition file, ...) into one Definition per target platform plus the image
// config to attach to each result. It runs inside the engine and reads inputs through a
// FrontendContext; it never touches snapshots or runc.
//
// Example: a frontend that builds a Definition it reads from a file in the context.
//
//   class MyFrontend final : public dbuild::sdk::Frontend {
//    public:
//     dbuild::sdk::Status check(const dbuild::sdk::Attributes&) override { return {}; }
//     dbuild::sdk::Result<dbuild::sdk::FrontendResult> build(const dbuild::sdk::FrontendRequest& request,
//                                                            dbuild::sdk::FrontendContext& context) override {
//       auto text = context.read_file("dockerfile", "build.json");
//       if (!text) return text.status();
//       auto definition = dbuild::sdk::definition_from_json(*text, "build.json");
//       if (!definition) return definition.status();
//       return dbuild::sdk::FrontendResult{{{request.platforms.front(), std::move(*definition), ""}}};
//     }
//   };
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/definition.hpp>
#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/progress.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

struct FrontendRequest {
  /// Frontend options from the CLI: "filename", "target", "build-arg:NAME", "label:NAME",
  /// "no-cache" (stage names, or "" for all), "context:NAME" (--build-context), ...
  Attributes options{};
  /// The platforms to build for; never empty (the engine fills in its native platform).
  std::vector<Platform> platforms{};
};

struct PlatformResult {
  Platform platform{};
  Definition definition{};
  /// The OCI image config for the result, as JSON, without `rootfs` (the engine adds the layers
  /// and aligns `history` with them). Empty: a minimal config.
  std::string image_config{};
};

struct FrontendResult {
  std::vector<PlatformResult> results{};  // one per requested platform, in order
};

/// An image's config, as FROM needs it to start a stage.
struct ImageConfigResult {
  std::string reference;  // the reference resolved, with its digest: "docker.io/library/alpine:3.20@sha256:..."
  std::string digest;     // the manifest digest
  std::string config;     // the image config JSON
};

/// What the engine offers a running frontend. Valid during build() only; thread-safe.
class FrontendContext {
 public:
  virtual ~FrontendContext() = default;

  /// Reads `path` from the local directory the client sent under `local_name` ("dockerfile",
  /// "context"). Errors: not_found (no such directory or file), invalid_argument (a path leaving
  /// the directory).
  [[nodiscard]] virtual Result<std::string> read_file(std::string_view local_name, std::string_view path) = 0;

  /// Resolves an image reference (or "oci-layout://PATH[:TAG]") for `platform` to its digest and
  /// config, without unpacking it. Errors: not_found, unavailable.
  [[nodiscard]] virtual Result<ImageConfigResult> resolve_image_config(std::string_view reference,
                                                                       const Platform& platform) = 0;

  /// Reports a warning about the user's input (shown after the build, recorded in history).
  virtual void warn(std::string message, std::optional<SourceLocation> location) = 0;
};

class Frontend {
 public:
  virtual ~Frontend() = default;

  /// Validates the frontend options before the build starts. Errors: invalid_argument.
  [[nodiscard]] virtual Status check(const Attributes& options) = 0;

  /// Produces the Definitions. Errors: invalid_argument (the user's input is wrong: carry its
  /// location), not_found (a file or image), whatever the context returned.
  [[nodiscard]] virtual Result<FrontendResult> build(const FrontendRequest& request, FrontendContext& context) = 0;
};

}  // namespace dbuild::sdk
