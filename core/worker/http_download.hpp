// http_download.hpp: fetching a URL to a file for ADD <url> (libcurl), hashing it on the way,
// following redirects, failing clearly on HTTP errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>

#include <dbuild/sdk/status.hpp>

namespace dbuild::worker {

struct Download {
  std::filesystem::path file;
  std::string digest;  // sha256 of the body
  std::int64_t size = 0;
  std::optional<std::int64_t> last_modified;  // Unix seconds, from Last-Modified
};

/// Downloads `url` into `file`. Errors: unavailable (network, HTTP status >= 400: the status is
/// in the message), cancelled, invalid_argument (not an http(s) URL).
[[nodiscard]] sdk::Result<Download> download(const std::string& url, const std::filesystem::path& file,
                                             std::stop_token stop);

}  // namespace dbuild::worker
