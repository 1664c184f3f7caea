// strict_json.hpp: reading image-spec JSON the way Go's encoding/json fills the spec's typed
// structs, which is what "valid" means to the spec's own tests: a field of the wrong type is an
// error, a missing or null field is its zero value, unknown fields are ignored. Internal to core/oci.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace dbuild::oci::strict_json {

using json = nlohmann::json;

/// Thrown by the readers below and caught by the public parse functions of core/oci, which turn
/// it into an invalid_argument Status; it never leaves core/oci.
struct Invalid : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The document as a JSON object; Invalid when it is not JSON or not an object.
[[nodiscard]] json parse_object(std::string_view text, const std::string& what);

/// `object[name]`, or nullptr when it is absent or null.
[[nodiscard]] const json* find(const json& object, const char* name);

/// The readers name the field in their errors as `where`.`name`.
[[nodiscard]] std::string string_of(const json& object, const char* name, const std::string& where);
[[nodiscard]] std::vector<std::string> strings_of(const json& object, const char* name, const std::string& where);
[[nodiscard]] std::map<std::string, std::string> string_map_of(const json& object, const char* name,
                                                               const std::string& where);
/// A Go map[string]struct{}: the keys; each value must be an object (or null).
[[nodiscard]] std::vector<std::string> key_set_of(const json& object, const char* name, const std::string& where);
[[nodiscard]] bool bool_of(const json& object, const char* name, const std::string& where);
/// An integer that fits int64 (no fraction, no exponent beyond what is integral).
[[nodiscard]] std::int64_t int_of(const json& object, const char* name, const std::string& where);
/// An RFC 3339 time ("2015-10-31T22:22:56.015925234Z"), as Go's time.Time reads it; "" when absent.
[[nodiscard]] std::string time_of(const json& object, const char* name, const std::string& where);
/// Base64 with padding (Go's []byte encoding); "" when absent. The text, not the decoded bytes.
[[nodiscard]] std::string base64_of(const json& object, const char* name, const std::string& where);
/// An object field (null and absent give an empty object).
[[nodiscard]] const json& object_of(const json& object, const char* name, const std::string& where);

}  // namespace dbuild::oci::strict_json
