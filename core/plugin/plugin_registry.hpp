// plugin_registry.hpp: the typed registry of plugins, one table per kind. It checks each
// descriptor (ABI, kind, name, duplicates), runs its factory once, and remembers every plugin it
// saw, loaded or not, with the reason, for `dbuild plugin ls`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/cache_backend.hpp>
#include <dbuild/sdk/driver.hpp>
#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/frontend.hpp>
#include <dbuild/sdk/host.hpp>
#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {
struct PluginDescriptor;
}

namespace dbuild::plugin {

enum class PluginState { Loaded, Skipped, Refused };

/// "loaded", "skipped", "refused".
[[nodiscard]] std::string_view state_name(PluginState state) noexcept;

/// One declared option, copied out of the plugin so that it outlives nothing it should not.
struct OptionInfo {
  std::string name;
  sdk::OptionType type = sdk::OptionType::String;
  std::optional<std::string> default_value;
  std::string description;
  bool required = false;
};

/// Everything known about one plugin file, whatever became of it.
struct PluginEntry {
  std::string file;
  std::string kind;  // kind_name(), or empty when refused before the descriptor was read
  std::string name;
  std::string version;
  std::string description;
  std::uint32_t abi_major = 0;
  std::uint32_t abi_minor = 0;
  std::vector<OptionInfo> options;
  PluginState state = PluginState::Refused;
  std::string reason;  // why skipped or refused; empty when loaded
};

/// The plugins of one kind, by name. Lookups return the plugin's one object, never a void*.
template <class Interface>
class KindTable {
 public:
  /// Errors: not_found, naming the known plugins of this kind.
  [[nodiscard]] sdk::Result<Interface*> find(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  friend class PluginRegistry;
  std::string kind_;
  std::map<std::string, std::unique_ptr<Interface>, std::less<>> objects_;
};

class PluginRegistry {
 public:
  explicit PluginRegistry(sdk::Host& host);
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  /// Checks `descriptor` (read from `file`) and, if it passes, runs its factory. `library`
  /// keeps the plugin's code mapped for as long as the registry lives; it may be null for
  /// descriptors that live in the calling binary (tests). Never fails: the outcome is recorded
  /// in entries().
  void add(const std::string& file, const sdk::PluginDescriptor* descriptor, std::shared_ptr<void> library);

  /// Records a file that could not even be read as a plugin.
  void refuse(const std::string& file, std::string reason);

  /// Every plugin seen, in the order seen.
  [[nodiscard]] const std::vector<PluginEntry>& entries() const noexcept { return entries_; }

  [[nodiscard]] const KindTable<sdk::Driver>& drivers() const noexcept { return drivers_; }
  [[nodiscard]] const KindTable<sdk::Exporter>& exporters() const noexcept { return exporters_; }
  [[nodiscard]] const KindTable<sdk::CacheBackend>& cache_backends() const noexcept { return cache_backends_; }
  [[nodiscard]] const KindTable<sdk::Frontend>& frontends() const noexcept { return frontends_; }

 private:
  sdk::Status check(const sdk::PluginDescriptor& descriptor) const;
  sdk::Status instantiate(const sdk::PluginDescriptor& descriptor, PluginEntry& entry);
  [[nodiscard]] const PluginEntry* loaded(std::string_view kind, std::string_view name) const;

  sdk::Host& host_;
  // Declared before the tables so that it is destroyed after them: plugin objects must be
  // destroyed while their code is still mapped.
  std::vector<std::shared_ptr<void>> libraries_;
  std::vector<PluginEntry> entries_;
  KindTable<sdk::Driver> drivers_;
  KindTable<sdk::Exporter> exporters_;
  KindTable<sdk::CacheBackend> cache_backends_;
  KindTable<sdk::Frontend> frontends_;
};

}  // namespace dbuild::plugin
