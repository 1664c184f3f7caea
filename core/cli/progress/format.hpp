// format.hpp: the small text formats of BuildKit's progress output (byte sizes, log-line offsets,
// durations) and the text hygiene a redrawn terminal needs (UTF-8, control bytes, clipping).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dbuild::progress {

/// Appends a size as BuildKit prints it (decimal units, two decimals past 1000 bytes):
/// "435B", "1.20kB", "52.33MB".
void append_bytes(std::string& out, std::int64_t bytes);

/// Appends the offset of a log line from its step's start as BuildKit prints it: three decimals
/// under 10 s, two under 100 s, one beyond ("0.123", "12.34", "123.4"). Negative offsets print 0.
void append_log_offset(std::string& out, std::int64_t offset_ns);

/// Appends seconds with one decimal ("0.3", "12.0"), the precision of step and task timers.
void append_seconds(std::string& out, std::int64_t duration_ns);

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

/// Makes one line of a step's output safe to draw inside a redrawn block: keeps what a terminal
/// would show after the last carriage return, drops escape sequences (colours, cursor moves) and
/// turns other control bytes and tabs into spaces. Cursor arithmetic breaks otherwise.
[[nodiscard]] std::string sanitize_for_terminal(std::string_view line);

/// Columns `text` takes, counting one per code point (wide characters are not special-cased).
[[nodiscard]] std::size_t display_width(std::string_view text) noexcept;

/// The longest prefix of `text` that fits in `columns`, never cutting a UTF-8 sequence.
[[nodiscard]] std::string_view clip_to_width(std::string_view text, std::size_t columns) noexcept;

}  // namespace dbuild::progress
