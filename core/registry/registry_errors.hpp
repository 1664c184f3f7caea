// registry_errors.hpp: turning a registry's error answers into sdk::Status, with the registry's
// own words (distribution's {"errors":[{"code","message","detail"}]}) and what to try.
#pragma once

#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

#include "registry/http_transport.hpp"

namespace dbuild::registry {

/// The registry's explanation: "MANIFEST_UNKNOWN: manifest unknown", a token server's
/// "details", or the start of a plain-text body; "" when there is none.
[[nodiscard]] std::string registry_error_message(const HttpResponse& response);

/// A Status for a non-success answer from `registry`: 404 not_found, 401/403 permission_denied,
/// 408/429/5xx unavailable, 400/405/416 and others invalid_argument. The message names the
/// registry, the HTTP status and the registry's explanation.
[[nodiscard]] sdk::Status status_from_response(const HttpResponse& response, std::string_view registry);

/// The one-line error for credentials refused (or missing) at `registry`, with the hint to log in.
/// `username` is who we tried as ("" when anonymous).
[[nodiscard]] sdk::Status unauthorized(std::string_view registry, std::string_view detail, std::string_view username);

/// The `dbuild login` argument that logs in to `registry` ("" for Docker Hub, the default).
[[nodiscard]] std::string login_target(std::string_view registry);

}  // namespace dbuild::registry
