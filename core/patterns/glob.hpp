// glob.hpp: single-path wildcard matching with Go's path/filepath.Match semantics, which is what
// BuildKit applies, per path component, to COPY and ADD source wildcards.
#pragma once

#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::patterns {

/// Whether `name` matches `pattern`, exactly as Go's filepath.Match on Linux:
///   `*`      any run of bytes other than '/'
///   `?`      one character (UTF-8 rune) other than '/'
///   `[...]`  one rune in the class: single runes or `lo-hi` ranges, `^` right after `[` negates
///            (`!` does not: Go treats it as a literal), the class must not be empty, and `-`
///            or `]` must be escaped to be a member
///   `\c`     the character c itself
/// The whole of `name` must match. Errors: invalid_argument ("syntax error in pattern", Go's
/// ErrBadPattern) for a malformed pattern. Like Go, a malformed part after the point where the
/// match already failed may go unreported (`a*[` against "b" is simply false).
[[nodiscard]] sdk::Result<bool> match_glob(std::string_view pattern, std::string_view name);

/// The Status returned for a malformed pattern, naming it.
[[nodiscard]] sdk::Status bad_pattern(std::string_view pattern);

}  // namespace dbuild::patterns
