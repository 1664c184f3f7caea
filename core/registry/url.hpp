// url.hpp: the few URL operations the registry client needs: query encoding, resolving a
// Location header, and taking a URL apart into scheme and host.
#pragma once

#include <string>
#include <string_view>

namespace dbuild::registry {

/// Percent-encodes everything but RFC 3986's unreserved characters.
[[nodiscard]] std::string url_encode(std::string_view text);

/// `location` (absolute "http://h/v2/...", or "/v2/..." relative to `base`, a "scheme://host" URL).
[[nodiscard]] std::string resolve_location(std::string_view base, std::string_view location);

/// "https" of "https://h:5000/x"; "" when there is no scheme.
[[nodiscard]] std::string url_scheme(std::string_view url);
/// "h:5000" of "https://h:5000/x"; "" when there is no scheme.
[[nodiscard]] std::string url_host(std::string_view url);

/// `url` with `name=value` (value encoded) appended to its query.
[[nodiscard]] std::string add_query(std::string_view url, std::string_view name, std::string_view value);

}  // namespace dbuild::registry
