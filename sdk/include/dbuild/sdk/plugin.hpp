// plugin.hpp: how a shared object declares itself a dbuild plugin. One DBUILD_PLUGIN line in one
// source file of the plugin fills a PluginDescriptor and exports it as the Boost.DLL alias
// `dbuild_plugin`, which the host looks up after dlopen. Include this header in that file only.
//
//   // plugin.cpp: declares the tar exporter; the logic is in tar_exporter.cpp.
//   #include <dbuild/sdk/plugin.hpp>
//   #include "tar_exporter.hpp"
//   namespace {
//   dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Exporter>> make_tar(dbuild::sdk::Host& host) {
//     return std::make_unique<TarExporter>(host.logger());
//   }
//   constexpr dbuild::sdk::OptionSpec kOptions[] = {
//       {"dest", dbuild::sdk::OptionType::Path, nullptr, "where to write the tarball; - for stdout", true},
//   };
//   }  // namespace
//   DBUILD_PLUGIN(dbuild::sdk::Kind::Exporter, "tar", "Writes the result as a tarball.", make_tar, kOptions);
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

#include <boost/dll/alias.hpp>

#include <dbuild/sdk/abi.hpp>
#include <dbuild/sdk/cache_backend.hpp>
#include <dbuild/sdk/driver.hpp>
#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/frontend.hpp>
#include <dbuild/sdk/host.hpp>
#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

/// What a plugin is. The numeric values are part of the ABI.
enum class Kind : std::uint32_t {
  Driver = 1,
  Exporter = 2,
  CacheBackend = 3,
  Frontend = 4,
};

/// "driver", "exporter", "cache-backend", "frontend"; "unknown" for any other value.
[[nodiscard]] const char* kind_name(std::uint32_t kind) noexcept;

/// A factory creates the plugin's one object for this process. It returns an error Status
/// rather than throwing; Status::unimplemented means "not supported here" (the plugin is listed
/// as skipped, which is not a failure), and any other error refuses the plugin.
template <class Interface>
using FactoryFunction = Result<std::unique_ptr<Interface>> (*)(Host& host);

/// Exactly one member is set: the one matching the descriptor's kind.
struct Factories {
  FactoryFunction<Driver> driver;
  FactoryFunction<Exporter> exporter;
  FactoryFunction<CacheBackend> cache_backend;
  FactoryFunction<Frontend> frontend;
};

/// What the `dbuild_plugin` alias points at. abi_major and abi_minor stay the first two fields
/// in every ABI version, so that any host can read them before trusting anything else.
struct PluginDescriptor {
  std::uint32_t abi_major;
  std::uint32_t abi_minor;
  std::uint32_t kind;          // a Kind value; a host refuses values it does not know
  const char* name;            // what users type: "local", "docker-container", "tar"
  const char* version;         // the plugin's own version
  const char* description;     // one line
  const OptionSpec* options;   // the option schema, `option_count` entries
  std::size_t option_count;
  Factories factory;
};

/// Use as the factory's answer when the plugin cannot work on this machine.
inline Status skip_plugin(std::string reason) { return Status::unimplemented(std::move(reason)); }

namespace detail {

template <class F>
struct FactoryKind;
template <>
struct FactoryKind<Result<std::unique_ptr<Driver>> (*)(Host&)> {
  static constexpr Kind value = Kind::Driver;
};
template <>
struct FactoryKind<Result<std::unique_ptr<Exporter>> (*)(Host&)> {
  static constexpr Kind value = Kind::Exporter;
};
template <>
struct FactoryKind<Result<std::unique_ptr<CacheBackend>> (*)(Host&)> {
  static constexpr Kind value = Kind::CacheBackend;
};
template <>
struct FactoryKind<Result<std::unique_ptr<Frontend>> (*)(Host&)> {
  static constexpr Kind value = Kind::Frontend;
};

inline constexpr OptionSpec kNoOptions[1] = {{nullptr, OptionType::String, nullptr, nullptr, false}};

template <Kind kKind, class F, std::size_t kOptionCount>
constexpr PluginDescriptor make_descriptor(const char* name, const char* version, const char* description,
                                           F factory, const OptionSpec (&options)[kOptionCount],
                                           bool has_options) {
  static_assert(FactoryKind<F>::value == kKind,
                "DBUILD_PLUGIN: the factory's return type does not match the declared kind");
  Factories factories{nullptr, nullptr, nullptr, nullptr};
  if constexpr (kKind == Kind::Driver) factories.driver = factory;
  if constexpr (kKind == Kind::Exporter) factories.exporter = factory;
  if constexpr (kKind == Kind::CacheBackend) factories.cache_backend = factory;
  if constexpr (kKind == Kind::Frontend) factories.frontend = factory;
  return PluginDescriptor{kAbiMajor,
                          kAbiMinor,
                          static_cast<std::uint32_t>(kKind),
                          name,
                          version,
                          description,
                          has_options ? options : nullptr,
                          has_options ? kOptionCount : 0,
                          factories};
}

// Picks the options array when the macro got one, kNoOptions otherwise.
template <std::size_t N>
constexpr const OptionSpec (&options_or_none(const OptionSpec (&options)[N]))[N] { return options; }
constexpr const OptionSpec (&options_or_none())[1] { return kNoOptions; }

}  // namespace detail
}  // namespace dbuild::sdk

// The plugin's version comes from the build (dbuild_add_plugin(... VERSION x.y.z)).
#ifndef DBUILD_PLUGIN_VERSION
#define DBUILD_PLUGIN_VERSION "0.0.0"
#endif

/// Declares this shared object's plugin: DBUILD_PLUGIN(kind, "name", "description", factory
/// [, options]). `factory` is a function `Result<std::unique_ptr<I>>(Host&)` where I is the
/// interface of `kind`; `options` is an optional array of OptionSpec.
#define DBUILD_PLUGIN(KIND, NAME, DESCRIPTION, FACTORY, ...)                                            \
  namespace {                                                                                           \
  const ::dbuild::sdk::PluginDescriptor dbuild_plugin_descriptor_ =                                     \
      ::dbuild::sdk::detail::make_descriptor<KIND>(                                                     \
          NAME, DBUILD_PLUGIN_VERSION, DESCRIPTION, &FACTORY,                                           \
          ::dbuild::sdk::detail::options_or_none(__VA_ARGS__), sizeof(#__VA_ARGS__) > 1);               \
  }                                                                                                     \
  BOOST_DLL_ALIAS(dbuild_plugin_descriptor_, dbuild_plugin)
