// options.hpp: the option schema a plugin declares (the `key=value` attributes users pass,
// e.g. `--output type=tar,dest=out.tar`), and the parsed attributes handed to it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace dbuild::sdk {

enum class OptionType : std::uint32_t {
  String = 0,
  Bool = 1,      // "true" | "false"
  Integer = 2,   // decimal
  Size = 3,      // bytes with an optional unit: 512, 10MB, 2GiB
  Duration = 4,  // 30s, 10m, 24h
  Path = 5,      // a file system path on the client
};

/// One declared option. Plain pointers so that a plugin can declare its schema as a constexpr
/// array; the strings must live as long as the plugin is loaded (string literals do).
struct OptionSpec {
  const char* name;
  OptionType type{};
  const char* default_value;  // nullptr when there is none
  const char* description;
  bool required;
};

/// What the user passed, after the host checked the names against the schema.
using Attributes = std::map<std::string, std::string>;

}  // namespace dbuild::sdk
