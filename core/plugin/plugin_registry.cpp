// plugin_registry.cpp: descriptor checks, factory calls and typed lookups.
#include "plugin/plugin_registry.hpp"

#include <exception>

#include <fmt/format.h>

#include <dbuild/sdk/abi.hpp>
#include <dbuild/sdk/plugin.hpp>

namespace dbuild::plugin {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_alnum(name.front())) return false;
  for (char c : name)
    if (!lower_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::string text_or_empty(const char* text) { return text ? text : ""; }

std::vector<OptionInfo> copy_options(const sdk::PluginDescriptor& descriptor) {
  std::vector<OptionInfo> options;
  if (!descriptor.options) return options;
  for (std::size_t i = 0; i < descriptor.option_count; ++i) {
    const auto& spec = descriptor.options[i];
    if (!spec.name) continue;
    OptionInfo info;
    info.name = spec.name;
    info.type = spec.type;
    if (spec.default_value) info.default_value = spec.default_value;
    info.description = text_or_empty(spec.description);
    info.required = spec.required;
    options.push_back(std::move(info));
  }
  return options;
}

// Runs one factory, turning exceptions (which must not cross the ABI, but a plugin may let one
// escape) into a Status.
template <class Interface>
sdk::Result<std::unique_ptr<Interface>> call_factory(sdk::FactoryFunction<Interface> factory, sdk::Host& host) {
  try {
    return factory(host);
  } catch (const std::exception& error) {
    return sdk::Status::internal(fmt::format("factory threw an exception: {}", error.what()));
  } catch (...) {
    return sdk::Status::internal("factory threw an exception of unknown type");
  }
}

template <class Interface>
sdk::Status install(std::map<std::string, std::unique_ptr<Interface>, std::less<>>& objects,
                    sdk::FactoryFunction<Interface> factory, sdk::Host& host, const PluginEntry& entry) {
  if (!factory) return sdk::Status::invalid_argument("descriptor has no factory for its kind");
  auto object = call_factory(factory, host);
  if (!object) return object.status();
  if (!*object) return sdk::Status::internal("factory returned no object");
  objects.emplace(entry.name, std::move(*object));
  return sdk::Status::ok();
}

}  // namespace

std::string_view state_name(PluginState state) noexcept {
  switch (state) {
    case PluginState::Loaded: return "loaded";
    case PluginState::Skipped: return "skipped";
    case PluginState::Refused: return "refused";
  }
  return "unknown";
}

template <class Interface>
sdk::Result<Interface*> KindTable<Interface>::find(std::string_view name) const {
  auto found = objects_.find(name);
  if (found != objects_.end()) return found->second.get();
  std::string known;
  for (const auto& [known_name, object] : objects_) known += (known.empty() ? "" : ", ") + known_name;
  if (known.empty()) known = "none";
  return sdk::Status::not_found(fmt::format("no {} plugin named \"{}\" (loaded: {})", kind_, name, known))
      .with_hint("run `dbuild plugin ls` to see every plugin and why any was refused");
}

template <class Interface>
std::vector<std::string> KindTable<Interface>::names() const {
  std::vector<std::string> names;
  for (const auto& [name, object] : objects_) names.push_back(name);
  return names;
}

template class KindTable<sdk::Driver>;
template class KindTable<sdk::Exporter>;
template class KindTable<sdk::CacheBackend>;
template class KindTable<sdk::Frontend>;

PluginRegistry::PluginRegistry(sdk::Host& host) : host_(host) {
  drivers_.kind_ = "driver";
  exporters_.kind_ = "exporter";
  cache_backends_.kind_ = "cache-backend";
  frontends_.kind_ = "frontend";
}

PluginRegistry::~PluginRegistry() = default;

void PluginRegistry::refuse(const std::string& file, std::string reason) {
  PluginEntry entry;
  entry.file = file;
  entry.state = PluginState::Refused;
  entry.reason = std::move(reason);
  entries_.push_back(std::move(entry));
}

const PluginEntry* PluginRegistry::loaded(std::string_view kind, std::string_view name) const {
  for (const auto& entry : entries_)
    if (entry.state == PluginState::Loaded && entry.kind == kind && entry.name == name) return &entry;
  return nullptr;
}

sdk::Status PluginRegistry::check(const sdk::PluginDescriptor& descriptor) const {
  if (descriptor.abi_major != sdk::kAbiMajor)
    return sdk::Status::failed_precondition(
        fmt::format("built for plugin ABI {}.{}, this dbuild speaks {}.{} (major differs); rebuild it "
                    "against dbuild's SDK {}.x",
                    descriptor.abi_major, descriptor.abi_minor, sdk::kAbiMajor, sdk::kAbiMinor, sdk::kAbiMajor));
  if (descriptor.abi_minor > sdk::kAbiMinor)
    return sdk::Status::failed_precondition(
        fmt::format("built for plugin ABI {}.{}, newer than this dbuild's {}.{}; upgrade dbuild or rebuild "
                    "the plugin against SDK {}.{}",
                    descriptor.abi_major, descriptor.abi_minor, sdk::kAbiMajor, sdk::kAbiMinor, sdk::kAbiMajor,
                    sdk::kAbiMinor));
  if (std::string_view(sdk::kind_name(descriptor.kind)) == "unknown")
    return sdk::Status::invalid_argument(fmt::format(
        "unknown plugin kind {} (known: 1 driver, 2 exporter, 3 cache-backend, 4 frontend)", descriptor.kind));
  if (!descriptor.name || !valid_name(descriptor.name))
    return sdk::Status::invalid_argument(
        fmt::format("invalid plugin name \"{}\" (want lowercase letters, digits, '-', '_', '.')",
                    text_or_empty(descriptor.name)));
  if (const auto* first = loaded(sdk::kind_name(descriptor.kind), descriptor.name))
    return sdk::Status::already_exists(fmt::format("{} \"{}\" is already provided by {} (the first one wins)",
                                                   first->kind, first->name, first->file));
  return sdk::Status::ok();
}

sdk::Status PluginRegistry::instantiate(const sdk::PluginDescriptor& descriptor, PluginEntry& entry) {
  const auto& factory = descriptor.factory;
  switch (static_cast<sdk::Kind>(descriptor.kind)) {
    case sdk::Kind::Driver: return install(drivers_.objects_, factory.driver, host_, entry);
    case sdk::Kind::Exporter: return install(exporters_.objects_, factory.exporter, host_, entry);
    case sdk::Kind::CacheBackend: return install(cache_backends_.objects_, factory.cache_backend, host_, entry);
    case sdk::Kind::Frontend: return install(frontends_.objects_, factory.frontend, host_, entry);
  }
  return sdk::Status::internal("unreachable: kind was checked");
}

void PluginRegistry::add(const std::string& file, const sdk::PluginDescriptor* descriptor,
                         std::shared_ptr<void> library) {
  if (!descriptor) return refuse(file, "the dbuild_plugin symbol points at nothing");
  // Keep the code mapped even when refusing: the entry copies strings out of it first, and a
  // library whose static destructors already ran must not be unmapped under a live object.
  if (library) libraries_.push_back(std::move(library));

  PluginEntry entry;
  entry.file = file;
  entry.abi_major = descriptor->abi_major;
  entry.abi_minor = descriptor->abi_minor;
  if (auto status = check(*descriptor); !status) {
    // Past an ABI major mismatch nothing else in the descriptor can be trusted.
    if (descriptor->abi_major == sdk::kAbiMajor) {
      entry.kind = sdk::kind_name(descriptor->kind);
      entry.name = text_or_empty(descriptor->name);
      entry.version = text_or_empty(descriptor->version);
      entry.description = text_or_empty(descriptor->description);
    }
    entry.reason = status.message();
    entries_.push_back(std::move(entry));
    return;
  }
  entry.kind = sdk::kind_name(descriptor->kind);
  entry.name = descriptor->name;
  entry.version = text_or_empty(descriptor->version);
  entry.description = text_or_empty(descriptor->description);
  entry.options = copy_options(*descriptor);

  auto status = instantiate(*descriptor, entry);
  if (status) {
    entry.state = PluginState::Loaded;
  } else if (status.code() == sdk::Code::Unimplemented) {
    entry.state = PluginState::Skipped;
    entry.reason = status.to_string();
  } else {
    entry.state = PluginState::Refused;
    entry.reason = status.code() == sdk::Code::Internal ? status.to_string()
                                                       : "factory failed: " + status.to_string();
  }
  entries_.push_back(std::move(entry));
}

}  // namespace dbuild::plugin
