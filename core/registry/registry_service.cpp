// registry_service.cpp: the SDK's registry service over RegistryClient (see registry_service.hpp).
#include "registry/registry_service.hpp"

#include "registry/blob_location_store.hpp"
#include "registry/docker_config.hpp"
#include "registry/registry_hosts.hpp"

namespace dbuild::registry {
namespace {

TransferOptions transfer_options(const sdk::TransferHooks& hooks) {
  TransferOptions options;
  options.stop = hooks.stop;
  if (hooks.progress)
    options.progress = [progress = hooks.progress](const TransferProgress& event) {
      const bool finished = event.state != TransferProgress::State::Transferring;
      progress(event.digest, finished ? event.total : event.current, event.total);
    };
  return options;
}

}  // namespace

RegistryService::RegistryService(std::function<void(const RequestRecord&)> on_request)
    : on_request_(std::move(on_request)) {}

RegistryService::~RegistryService() = default;

sdk::Result<RegistryClient*> RegistryService::client() {
  std::lock_guard lock(mutex_);
  if (client_) return client_.get();
  if (!config_status_) return config_status_;
  auto hosts = load_host_rules();
  if (!hosts) {
    config_status_ = hosts.status();
    return config_status_;
  }
  credentials_ = std::make_unique<DockerConfigCredentials>(DockerConfig(docker_config_file()));
  ClientOptions options;
  options.hosts = std::move(*hosts);
  options.credentials = credentials_.get();
  options.on_request = on_request_;
  client_ = std::make_unique<RegistryClient>(std::move(options));
  client_->use_location_store(locations_.get());
  return client_.get();
}

void RegistryService::use_location_store(std::unique_ptr<BlobLocationStore> store) {
  std::lock_guard lock(mutex_);
  if (client_) {
    client_->save_blob_locations();  // what was seen so far goes to the old store, if any
    client_->use_location_store(store.get());
  }
  locations_ = std::move(store);
}

sdk::Result<std::string> RegistryService::normalize(std::string_view reference) {
  auto parsed = oci::parse_reference(reference);
  if (!parsed) return parsed.status();
  return parsed->str();
}

sdk::Result<sdk::Descriptor> RegistryService::resolve(std::string_view reference,
                                                      const std::optional<sdk::Platform>& platform) {
  auto parsed = oci::parse_reference(reference);
  if (!parsed) return parsed.status();
  auto found = client();
  if (!found) return found.status();
  return (*found)->resolve(*parsed, platform);
}

sdk::Result<std::string> RegistryService::fetch_manifest(std::string_view reference, const sdk::Digest& digest) {
  auto parsed = oci::parse_reference(reference);
  if (!parsed) return parsed.status();
  auto found = client();
  if (!found) return found.status();
  auto fetched = (*found)->fetch_manifest(*parsed, digest);
  if (!fetched) return fetched.status();
  return std::move(fetched->bytes);
}

sdk::Status RegistryService::pull_blob(std::string_view reference, const sdk::Descriptor& blob,
                                       sdk::ContentStore& store, const sdk::TransferHooks& hooks) {
  auto parsed = oci::parse_reference(reference);
  if (!parsed) return parsed.status();
  auto found = client();
  if (!found) return found.status();
  return (*found)->pull_blob(*parsed, blob, store, transfer_options(hooks));
}

sdk::Result<sdk::Descriptor> RegistryService::push_image(std::string_view reference, const sdk::Descriptor& root,
                                                         sdk::ContentStore& store, const sdk::TransferHooks& hooks) {
  auto parsed = oci::parse_reference(reference);
  if (!parsed) return parsed.status();
  auto found = client();
  if (!found) return found.status();
  return (*found)->push_image(*parsed, root, store, transfer_options(hooks));
}

}  // namespace dbuild::registry
