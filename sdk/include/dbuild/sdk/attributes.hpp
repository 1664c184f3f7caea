// attributes.hpp: reading the `key=value` attributes users pass to plugins the way dbuild's own
// plugins read them, so that every exporter and cache backend spells booleans and layer options
// alike. Free functions of the SDK's static library: nothing here crosses the ABI.
#pragma once

#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

/// A boolean attribute: "true", "" (present without a value) or "false"; `fallback` when absent.
/// Errors: invalid_argument (any other value), naming the attribute.
[[nodiscard]] Result<bool> bool_attribute(const Attributes& attributes, const char* name, bool fallback);

/// compression=, compression-level=, force-compression=, oci-mediatypes= as BuildKit reads them
/// (oci-mediatypes defaults to `oci_default`, and to true with zstd). Errors: invalid_argument.
[[nodiscard]] Result<ImageOptions> image_options(const Attributes& attributes, bool oci_default);

}  // namespace dbuild::sdk
