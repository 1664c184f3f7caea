// csv_fields.hpp: one CSV record, as Go's encoding/csv reads it (quoted fields with "" escapes,
// no lazy quotes): how BuildKit splits RUN --mount and --device values into key=value fields.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::dockerfile {

/// The fields of `record`; "" has none. Errors: invalid_argument "parse error on line 1, column
/// N: bare \" in non-quoted-field" or "... extraneous or missing \" in quoted-field".
[[nodiscard]] sdk::Result<std::vector<std::string>> csv_fields(std::string_view record);

}  // namespace dbuild::dockerfile
