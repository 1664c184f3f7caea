// registry_service.hpp: sdk::Registry (the registry service of sdk/registry.hpp) on top of the
// RegistryClient, configured as the user configured dbuild: host rules from dbuild's config,
// logins from Docker's config.json. One per process; the client is made on first use, so that
// commands which never reach a registry never read those files.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include <dbuild/sdk/registry.hpp>

#include "registry/registry_client.hpp"

namespace dbuild::registry {

class BlobLocationStore;
class DockerConfigCredentials;

class RegistryService final : public sdk::Registry {
 public:
  /// `on_request` (may be empty) sees every HTTP exchange, for --debug.
  explicit RegistryService(std::function<void(const RequestRecord&)> on_request = {});
  ~RegistryService() override;

  [[nodiscard]] sdk::Result<std::string> normalize(std::string_view reference) override;
  [[nodiscard]] sdk::Result<sdk::Descriptor> resolve(std::string_view reference,
                                                     const std::optional<sdk::Platform>& platform) override;
  [[nodiscard]] sdk::Result<std::string> fetch_manifest(std::string_view reference, const sdk::Digest& digest) override;
  [[nodiscard]] sdk::Status pull_blob(std::string_view reference, const sdk::Descriptor& blob, sdk::ContentStore& store,
                                      const sdk::TransferHooks& hooks) override;
  [[nodiscard]] sdk::Result<sdk::Descriptor> push_image(std::string_view reference, const sdk::Descriptor& root,
                                                        sdk::ContentStore& store, const sdk::TransferHooks& hooks) override;

  /// The client itself, for core code that needs more than the SDK offers. Errors: a malformed
  /// config file.
  [[nodiscard]] sdk::Result<RegistryClient*> client();

  /// Keeps blob locations in `store` as well as in memory (see RegistryClient::use_location_store),
  /// once a state root is open. Without one (imagetools, login) they live as long as the process.
  void use_location_store(std::unique_ptr<BlobLocationStore> store);

 private:
  std::function<void(const RequestRecord&)> on_request_;
  std::mutex mutex_;
  std::unique_ptr<BlobLocationStore> locations_;  // declared before client_, which uses it until destroyed
  sdk::Status config_status_ = sdk::Status::ok();
  std::unique_ptr<DockerConfigCredentials> credentials_;
  std::unique_ptr<RegistryClient> client_;
};

}  // namespace dbuild::registry
