// text.hpp: the Go text rules BuildKit's parsers inherit from their language (UTF-8 with U+FFFD
// for a bad byte, unicode.IsSpace, TrimSpace, regexp.Split on `[\t\v\f\r ]+`, strconv.Quote and
// ParseInt/ParseUint/ParseBool), so that splitting and error texts agree byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::dockerfile::parser_text {

struct Rune {
  char32_t value = 0xFFFD;
  std::size_t width = 1;  // bytes consumed; an invalid byte is {U+FFFD, 1}
};

/// utf8.DecodeRuneInString on a non-empty `text`.
[[nodiscard]] Rune decode_rune(std::string_view text) noexcept;
/// WriteRune: UTF-8, U+FFFD for a value that is not a Unicode scalar.
void append_rune(std::string& out, char32_t rune);

[[nodiscard]] bool is_space(char32_t rune) noexcept;  // unicode.IsSpace
[[nodiscard]] bool is_print(char32_t rune) noexcept;  // strconv.IsPrint (see text.cpp for its limits)

[[nodiscard]] std::string_view trim_left_space(std::string_view text) noexcept;  // TrimLeftFunc(IsSpace)
[[nodiscard]] std::string_view trim_space(std::string_view text) noexcept;       // strings.TrimSpace
[[nodiscard]] std::string_view trim_newline(std::string_view text) noexcept;     // TrimRight(text, "\r\n")

/// regexp `[\t\v\f\r ]+`.Split(text, n), Go's semantics (n < 0: all pieces).
[[nodiscard]] std::vector<std::string> split_whitespace(std::string_view text, int n);

/// ASCII-only case mapping: instruction names, flag values and keywords are ASCII in practice.
[[nodiscard]] std::string to_lower(std::string_view text);
[[nodiscard]] std::string to_upper(std::string_view text);
[[nodiscard]] bool equal_fold(std::string_view a, std::string_view b) noexcept;

/// strconv.Quote, as fmt's %q prints a string.
[[nodiscard]] std::string quote(std::string_view text);
/// fmt's %q on a []string: ["a" "b"].
[[nodiscard]] std::string quote_list(const std::vector<std::string>& items);

/// strconv.ParseInt / ParseUint with Go's error texts ("strconv.ParseInt: parsing \"x\": invalid
/// syntax", "... value out of range"). `bits` is 32 or 64.
[[nodiscard]] sdk::Result<std::int64_t> parse_int(std::string_view text, int base, int bits);
[[nodiscard]] sdk::Result<std::uint64_t> parse_uint(std::string_view text, int base, int bits);
/// strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False.
[[nodiscard]] std::optional<bool> parse_bool(std::string_view text) noexcept;

}  // namespace dbuild::dockerfile::parser_text
